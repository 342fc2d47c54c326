from etmf.cli import main

raise SystemExit(main())

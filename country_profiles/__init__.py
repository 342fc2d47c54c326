"""Country and regional profiles shipped with etmf, one YAML file each."""

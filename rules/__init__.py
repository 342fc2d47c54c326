"""Rule data shipped with etmf: the base profile and the vocabularies of classification and evidence."""

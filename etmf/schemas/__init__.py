"""JSON Schemas shipped with etmf: configuration files and the JSON report."""

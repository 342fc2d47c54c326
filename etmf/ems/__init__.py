"""TMF Reference Model Exchange Mechanism (eTMF-EMS) packages: written and read.

A package is a folder of zone/section/artifact folders and an ``exchange.xml`` that lists
every file with its metadata and SHA-256 (see ``TmfReferenceModelExchange.xsd``, shipped
here). :mod:`etmf.ems.export` writes one from a scan; :mod:`etmf.ems.reading` reads one at the
root of a scanned folder, and :mod:`etmf.ems.record` merges each file's record into what etmf
read in the file itself. Nothing is imported here, so the scan can use the reading side
without loading the export side.
"""

"""The CDISC TMF Reference Model as data, and the classifier that maps documents onto it."""

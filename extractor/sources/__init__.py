"""Backends: turn one kind of input file into pages of table grids."""

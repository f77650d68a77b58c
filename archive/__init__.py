"""Archive stage: the SQLite archive (sqlite-utils), built from the captures by the parsers."""

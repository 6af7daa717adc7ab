"""make bench: how fast the summary page and downloads are as responses grow."""

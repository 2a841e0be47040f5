"""Where Vigía reads from: HTTP fetching, feed parsing, channel page parsing."""

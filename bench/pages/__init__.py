"""The page benchmark (`make bench`): build the data shape, serve it the ways the site is run,
load it with wrk, and print one table (docs/performance.md explains every column)."""

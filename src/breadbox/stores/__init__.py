"""The embedded store: stores, store files, chunking, full-text search and the document sink."""

"""Uploaded files (`/v1/files`): the raw bytes a store file is made from."""

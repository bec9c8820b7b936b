"""Bodies of the files API (`FileObject`, `FileDeleted`, `FileListResponse`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from breadbox.pagination import CursorPaginationResponse


class FileObject(BaseModel):
    """A model representing a file object in the system."""

    id: str = Field(description="Unique identifier for the file")
    filename: str = Field(min_length=1, description="Name of the file including extension")
    bytes: int = Field(gt=0, description="Size of the file in bytes")
    mime_type: str = Field(pattern=r"^[\w\.\-\+]+/[\w\.\-\+]+(\.\w+)*$", description="MIME type of the file")
    version: int = Field(ge=1, description="Version of the file")
    created_at: datetime = Field(description="Timestamp when the file was created")
    updated_at: datetime = Field(description="Timestamp when the file was last updated")


class FileDeleted(BaseModel):
    id: str = Field(description="The ID of the deleted file")
    deleted: bool = Field(default=True, description="Whether the file was deleted")
    object: Literal["file"] = Field(default="file", description="The type of the deleted object")


class FileListResponse(BaseModel):
    pagination: CursorPaginationResponse
    object: Literal["list"] = "list"
    data: list[FileObject]

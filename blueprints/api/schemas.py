"""Request and response schemas of the API (the OpenAPI document is generated from them)."""
from __future__ import annotations

from pydantic import BaseModel, Field


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    customer_code: str | None = None
    erp_name: str | None = Field(None, description="Staff: the operator name in the ERP (a review form's maker)")
    locale: str


class CustomerOut(BaseModel):
    code: str
    name: str
    short_name: str | None = None


class CustomerList(BaseModel):
    items: list[CustomerOut]

"""The customers' side (客户服务): place sales and sample orders with documents, follow
their status, download their own files, re-place a rejected order as a copy."""
from scm_plugin.modules import MenuEntry, Module
from scm_plugin.roles import CUSTOMER

from . import views

module = Module(
    name="portal",
    blueprint=views.bp,
    portal_menu=(MenuEntry(1, "portal.index", "My orders", (CUSTOMER,)),),
)

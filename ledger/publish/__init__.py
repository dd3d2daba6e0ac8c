"""Publishing the ledger with Datasette: the plugin, its metadata, serving and bundles.

This package is the ``datasette`` entry point, so Datasette finds the plugin's hooks here and its
templates in ``templates/`` beside this file.
"""

from ledger.publish.connection import prepare_connection
from ledger.publish.facets import register_facet_classes
from ledger.publish.home import extra_css_urls, extra_template_vars
from ledger.publish.plugin import asgi_wrapper, register_routes, render_cell
from ledger.publish.startup import startup

__all__ = [
    "asgi_wrapper",
    "extra_css_urls",
    "extra_template_vars",
    "prepare_connection",
    "register_facet_classes",
    "register_routes",
    "render_cell",
    "startup",
]

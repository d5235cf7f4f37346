"""Placeholder until the pages are written."""

from flask import Blueprint

bp = Blueprint("public", __name__)

"""Placeholder until the pages are written."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

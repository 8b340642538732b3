"""Reports: figures are computed in Python; Jinja2 templates only lay them out."""

from .render import render, template_environment

__all__ = ["render", "template_environment"]

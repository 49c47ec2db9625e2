"""Thin views: parse input, call one service, present the result as HTML or JSON."""

"""Routes of this part of the site."""

routes: list = []

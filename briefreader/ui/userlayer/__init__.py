"""The analyst's own layer in the window: highlights and notes in the reading
pane and a Notes panel, stars and read marks, saved searches and watched actors with what is
new in them, the history of queries, and exports. ``layer.install`` puts it in the window.
"""

"""The search panel: the box, the sort, the result list with its paging, and the filters."""

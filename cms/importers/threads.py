"""A post's imported comments in an order that can be written (each parent before its
replies), and the place of a reply deeper than cms shows threads."""

from collections.abc import Iterator

from cms.importers.items import ImportedComment


def parents_first(comments: list[ImportedComment]) -> Iterator[ImportedComment]:
    """Each comment after its parent, in the file's order otherwise (exports mostly list
    them so, but not always); one whose parent is not among them, or is in a loop of
    parents, comes as a comment on the post would."""
    ids = {comment.source_id for comment in comments}
    replies: dict[str, list[ImportedComment]] = {}
    roots: list[ImportedComment] = []
    for comment in comments:
        parent = comment.parent_source_id
        if parent and parent in ids and parent != comment.source_id:
            replies.setdefault(parent, []).append(comment)
        else:
            roots.append(comment)
    placed: set[str] = set()
    waiting = list(reversed(roots))
    while len(placed) < len(comments):
        if not waiting:  # only loops of parents are left: take the first of them as a root
            waiting = [next(c for c in comments if c.source_id not in placed)]
        comment = waiting.pop()
        if comment.source_id in placed:
            continue
        placed.add(comment.source_id)
        yield comment
        waiting += reversed(replies.get(comment.source_id, []))

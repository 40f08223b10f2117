"""A post's numbers for editors: views and comments per day over a range, and in all."""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from cms.comments import service as comments
from cms.pageviews import service as views
from cms.posts.models import Post


def post_stats(session: Session, *, post: Post, first: date, last: date) -> dict[str, Any]:
    post_id = post.id or 0
    viewed = views.views_by_day(session, post_id=post_id, first=first, last=last)
    commented = comments.approved_by_day(session, post_id=post_id, first=first, last=last)
    # Every day, zeros included: a chart needs no gaps filled in by the front end.
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {
        "post_id": post_id,
        "view_count": views.view_counts(session, post_ids=[post_id]).get(post_id, 0),
        "comment_count": post.comment_count,
        "pending_comment_count": comments.count_pending(session, post_id=post_id),
        "range": {
            "from": first,
            "to": last,
            "views": sum(viewed.values()),
            "comments": sum(commented.values()),
        },
        "days": [
            {"date": day, "views": viewed.get(day, 0), "comments": commented.get(day, 0)}
            for day in days
        ],
    }

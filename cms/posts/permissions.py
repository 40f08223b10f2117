"""Who may do what to a post: the role ladder's rules, in one place.

Editors and up handle every post. Authors handle their own posts, publishing
included. Contributors see their own posts and change only their own drafts.
A post someone may not see answers 404, so its existence does not leak.
"""

from enum import StrEnum

from cms.posts.models import Post, PostStatus
from cms.problems import Forbidden, NotFound
from cms.users.models import Role, User


class PostAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    PUBLISH = "publish"
    DELETE = "delete"


def sees_every_post(user: User) -> bool:
    return Role(user.role).includes(Role.EDITOR)


def check_post_access(user: User, post: Post, *, own: bool, action: PostAction) -> None:
    """Raise NotFound or Forbidden unless `user` may do `action` to `post`."""
    if sees_every_post(user):
        return
    if not own:
        raise NotFound(f"No post with id {post.id}")
    if action == PostAction.VIEW or Role(user.role).includes(Role.AUTHOR):
        return
    if action == PostAction.PUBLISH:
        raise Forbidden("Contributors cannot publish: an editor publishes your draft")
    if post.status != PostStatus.DRAFT:
        raise Forbidden("Contributors can change only their own drafts")

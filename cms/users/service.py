"""Accounts and the role ladder's rules about who may give which role."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from cms.audit import service as audit
from cms.auth.models import ApiToken, TokenKind
from cms.auth.passwords import hash_password
from cms.authors import service as authors_service
from cms.authors.models import Author
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.problems import Conflict, Forbidden, NotFound, Unprocessable
from cms.users.models import Role, User
from cms.users.schemas import UserCreate, UserUpdate

SORTING = Sorting(frozenset({"id", "name", "email", "created_at", "updated_at"}), default="name")
# Sent as null, these would mean nothing sensible: refused rather than ignored.
_NOT_NULLABLE = ("email", "name", "role", "password")


def create_user(session: Session, *, data: UserCreate, actor: User | None, now: datetime) -> User:
    """A new account; only an owner (or the command line, actor None) can make an owner."""
    _check_may_grant(actor, data.role)
    email = str(data.email).lower()
    _check_email_free(session, email)
    _check_author(session, data.author_id, None)
    user = User(
        email=email,
        name=data.name,
        role=data.role,
        password_hash=hash_password(data.password),
        author_id=data.author_id,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    _record(session, actor, "user.create", user, f"{user.email} as {user.role}", now)
    return user


def update_user(
    session: Session, *, user: User, data: UserUpdate, actor: User | None, now: datetime
) -> User:
    """Change an account; owners are changed only by owners, and one owner always remains."""
    check_may_manage(actor, user)
    changes = _changes(data)
    changed: list[str] = []
    if "role" in changes and changes["role"] != user.role:
        _check_may_grant(actor, changes["role"])
        if Role(user.role) == Role.OWNER:
            _check_not_last_owner(session)
        changed.append(f"role {user.role} -> {changes['role']}")
        user.role = changes["role"]
    if "email" in changes and changes["email"].lower() != user.email:
        _check_email_free(session, changes["email"].lower())
        user.email = changes["email"].lower()
        changed.append("email")
    if "name" in changes and changes["name"] != user.name:
        user.name = changes["name"]
        changed.append("name")
    if "password" in changes:
        user.password_hash = hash_password(changes["password"])
        changed.append("password")
        # Whoever signed in with the old password is signed out (API tokens stay: scripts).
        session.execute(
            update(ApiToken)
            .where(
                col(ApiToken.user_id) == user.id,
                col(ApiToken.kind) == TokenKind.SESSION,
                col(ApiToken.revoked_at).is_(None),
            )
            .values(revoked_at=now)
        )
    if "author_id" in changes and changes["author_id"] != user.author_id:
        _check_author(session, changes["author_id"], user.id)
        user.author_id = changes["author_id"]
        changed.append("author_id")
    if changed:
        user.updated_at = now
        session.add(user)
        session.flush()
        _record(session, actor, "user.update", user, ", ".join(changed), now)
    return user


def delete_user(session: Session, *, user: User, actor: User | None, now: datetime) -> None:
    """Remove an account (its tokens go with it; its posts and history stay)."""
    check_may_manage(actor, user)
    if Role(user.role) == Role.OWNER:
        _check_not_last_owner(session)
    # Recorded first: the actor may be the user who goes (the event then keeps the e-mail).
    _record(session, actor, "user.delete", user, user.email, now)
    session.delete(user)
    session.flush()


def get_user(session: Session, *, user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}")
    return user


def find_user_by_email(session: Session, *, email: str) -> User | None:
    return session.execute(select(User).where(col(User.email) == email.strip().lower())).scalar()


def get_user_by_email(session: Session, *, email: str) -> User:
    """The user with this e-mail (in any case); NotFound otherwise."""
    user = find_user_by_email(session, email=email)
    if user is None:
        raise NotFound(f"No user with e-mail {email}", field="email")
    return user


def list_users(
    session: Session, *, pagination: Pagination, sort: list[SortKey], role: Role | None = None
) -> tuple[list[User], int]:
    """A page of users in `sort` order (ties broken by id), optionally of one role."""
    where = [col(User.role) == role] if role is not None else []
    users = session.execute(
        select(User)
        .where(*where)
        .order_by(*order_by(User, sort, nulls_last=True))
        .offset(pagination.offset)
        .limit(pagination.limit)
    ).scalars()
    total = session.execute(select(func.count()).select_from(User).where(*where)).scalar_one()
    return list(users), total


def check_may_manage(actor: User | None, user: User) -> None:
    """Owners are managed (changed, removed, given tokens) only by owners or the command line."""
    if Role(user.role) == Role.OWNER:
        _check_may_grant(actor, Role.OWNER)


def _check_may_grant(actor: User | None, role: Role) -> None:
    if actor is not None and role == Role.OWNER and Role(actor.role) != Role.OWNER:
        raise Forbidden("Only an owner can create, change or remove an owner")


def _check_not_last_owner(session: Session) -> None:
    # The owners' rows are locked (on PostgreSQL), so that two requests demoting two
    # different owners at once cannot both see "another owner remains".
    owners = session.execute(
        select(col(User.id)).where(col(User.role) == Role.OWNER).with_for_update()
    ).all()
    if len(owners) <= 1:
        raise Conflict("This is the last owner: make another owner first", field="role")


def _check_email_free(session: Session, email: str) -> None:
    if find_user_by_email(session, email=email) is not None:
        raise Conflict(f"A user with e-mail {email} already exists", field="email")


def _check_author(session: Session, author_id: int | None, user_id: int | None) -> None:
    if author_id is None:
        return
    if session.get(Author, author_id) is None:
        raise Unprocessable(f"No author with id {author_id}", field="author_id")
    holder = session.execute(select(col(User.id)).where(col(User.author_id) == author_id)).scalar()
    if holder is not None and holder != user_id:
        raise Conflict("That author profile belongs to another user", field="author_id")


def _changes(data: UserUpdate) -> dict[str, Any]:
    changes = data.model_dump(exclude_unset=True)
    for name in _NOT_NULLABLE:
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be null", field=name)
    return changes


def _record(
    session: Session, actor: User | None, action: str, user: User, summary: str, now: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_id=user.id,
        summary=summary,
        now=now,
    )


def ensure_byline(session: Session, *, user: User, now: datetime) -> int:
    """The author profile `user` writes as, made from their name the first time they write."""
    if user.author_id is None:
        author = authors_service.create_byline(session, name=user.name, actor=user, now=now)
        user.author_id = author.id
        session.add(user)
        session.flush()
    assert user.author_id is not None
    return user.author_id

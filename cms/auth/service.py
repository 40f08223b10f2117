"""Signing in and bearer tokens: random secrets, shown once, stored only as a hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import anyio
from sqlalchemy import func, select
from sqlmodel import Session, col

from cms.audit import service as audit
from cms.auth import throttle
from cms.auth.models import ApiToken, TokenKind
from cms.auth.passwords import PasswordGate
from cms.config import Settings
from cms.db import on_read_thread
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.problems import NotFound, Unauthorized, Unprocessable
from cms.users import service as users_service
from cms.users.models import User

TOKEN_PREFIX = "cms_"
MAX_EMAIL = 254
# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


class SignInFailed(Unauthorized):
    keeps_changes = True  # the failure is counted even though the request fails


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the only time the secret exists outside the client


def hash_secret(secret: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    *,
    user: User,
    name: str,
    kind: TokenKind,
    now: datetime,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A new token for `user`; the secret is returned once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=_id(user),
        name=name,
        kind=kind,
        secret_hash=hash_secret(secret),
        hint=secret[: len(TOKEN_PREFIX) + 4],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token, secret)


@dataclass(frozen=True)
class Account:
    """What checking a password needs, read before waiting for a turn to hash."""

    user_id: int | None
    password_hash: str | None


async def sign_in(
    session: Session,
    *,
    reads: Session,
    email: str,
    password: str,
    address: str,
    gate: PasswordGate,
    now: datetime,
    settings: Settings,
) -> tuple[IssuedToken, User]:
    """A session token for the right e-mail and password; 401 otherwise, 429 when this
    address (or this address for this e-mail) has failed too often, 503 when too many
    passwords are being checked at once.

    The password is checked between two transactions: `reads` is done with before, and
    `session` (which on SQLite takes the write lock) is begun after, so that no connection
    or lock is held while a sign-in waits for its turn or hashes."""
    email = email.strip().lower()
    counted = throttle.counters(settings, address=address, email=email)
    account = await on_read_thread(reads, _account_to_check, email=email, counted=counted, now=now)
    # Always verify, even for an unknown e-mail: both answers take the same time.
    matches = await gate.verify(account.password_hash, password)
    conclude = partial(_conclude, session, account, matches, counted, now, settings)
    return await anyio.to_thread.run_sync(conclude)


def _account_to_check(
    reads: Session, *, email: str, counted: tuple[throttle.Counter, ...], now: datetime
) -> Account:
    throttle.check(reads, counted, now=now)
    # Lower-casing can lengthen text: no account has such an e-mail.
    user = None if len(email) > MAX_EMAIL else users_service.find_user_by_email(reads, email=email)
    account = Account(user.id, user.password_hash) if user else Account(None, None)
    reads.close()  # its connection goes back to the pool before the wait for a turn
    return account


def _conclude(
    session: Session,
    account: Account,
    matches: bool,
    counted: tuple[throttle.Counter, ...],
    now: datetime,
    settings: Settings,
) -> tuple[IssuedToken, User]:
    succeeded = matches and account.user_id is not None
    throttle.record(session, counted, succeeded=succeeded, now=now, settings=settings)
    user = session.get(User, account.user_id) if succeeded else None
    if user is None:
        raise SignInFailed("Wrong e-mail or password")
    user.last_login_at = now
    session.add(user)
    issued = issue_token(
        session,
        user=user,
        name="session",
        kind=TokenKind.SESSION,
        now=now,
        expires_at=now + timedelta(hours=settings.session_hours),
    )
    audit.record(
        session,
        actor=user,
        action="session.create",
        subject_type="user",
        subject_id=user.id,
        now=now,
    )
    return issued, user


def user_for_secret(session: Session, *, secret: str, now: datetime) -> User:
    """The user a bearer secret belongs to, if it is valid now; Unauthorized otherwise."""
    token = session.execute(
        select(ApiToken).where(col(ApiToken.secret_hash) == hash_secret(secret))
    ).scalar()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("The token is not valid")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("The token has expired; sign in again")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.add(token)
    user = session.get(User, token.user_id)
    if user is None:
        raise Unauthorized("The token is not valid")
    return user


def create_api_token(
    session: Session, *, name: str, owner_id: int | None, actor: User | None, now: datetime
) -> tuple[IssuedToken, User]:
    """A long-lived API token for `owner_id` (by default the actor); an owner's only by an owner."""
    if owner_id is None and actor is None:
        raise Unprocessable("Say whose token this is", field="user_id")
    owner = actor if owner_id is None else session.get(User, owner_id)
    if owner is None:
        raise Unprocessable(f"No user with id {owner_id}", field="user_id")
    # A token acts with its owner's role: handing out an owner's would make an owner.
    users_service.check_may_manage(actor, owner)
    issued = issue_token(session, user=owner, name=name, kind=TokenKind.API, now=now)
    _record(session, actor, "token.create", issued.token, f"{name!r} for {owner.email}", now)
    return issued, owner


TOKEN_SORTING = Sorting(
    frozenset({"id", "name", "kind", "created_at", "expires_at", "last_used_at", "revoked_at"}),
    default="-created_at",
)


def list_tokens(
    session: Session,
    *,
    pagination: Pagination,
    sort: list[SortKey],
    user_id: int | None = None,
    kind: TokenKind | None = None,
) -> tuple[list[tuple[ApiToken, User]], int]:
    """A page of tokens with their owners in `sort` order (secrets are never kept)."""
    where = []
    if user_id is not None:
        where.append(col(ApiToken.user_id) == user_id)
    if kind is not None:
        where.append(col(ApiToken.kind) == kind)
    query = (
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(*where)
        .order_by(*order_by(ApiToken, sort, nulls_last=True))
        .offset(pagination.offset)
        .limit(pagination.limit)
    )
    rows = [(token, owner) for token, owner in session.execute(query)]
    total = session.execute(select(func.count()).select_from(ApiToken).where(*where)).scalar_one()
    return rows, total


def get_token(session: Session, *, token_id: int) -> tuple[ApiToken, User]:
    """The token with this id and its owner; NotFound otherwise."""
    token = session.get(ApiToken, token_id)
    owner = session.get(User, token.user_id) if token is not None else None
    if token is None or owner is None:
        raise NotFound(f"No token with id {token_id}")
    return token, owner


def revoke_token(
    session: Session, *, token_id: int, actor: User | None, now: datetime
) -> tuple[ApiToken, User]:
    """Revoke a token at once (an owner's only by an owner); revoking twice changes nothing."""
    token, owner = get_token(session, token_id=token_id)
    users_service.check_may_manage(actor, owner)
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.flush()
        _record(session, actor, "token.revoke", token, f"{token.name!r} of {owner.email}", now)
    return token, owner


def _record(
    session: Session, actor: User | None, action: str, token: ApiToken, summary: str, now: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_id=token.id,
        summary=summary,
        now=now,
    )


def _id(user: User) -> int:
    assert user.id is not None
    return user.id

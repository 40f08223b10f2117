"""Settings: the only place that reads the environment (every name is prefixed ``CMS_``)."""

import os
import secrets
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PERMALINK_FIELDS = {"slug", "id"}
POST_PERMALINK_FIELDS = {"slug", "id", "year", "month", "day"}
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"  # a BCP 47 tag: en, de-AT


def half_the_cpus() -> int:
    """Half the CPUs this process may use (at least one): the other half serve readers
    while sign-ins are being checked."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max(1, (len(usable) if usable else os.cpu_count() or 2) // 2)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CMS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./cms.db"
    # The front end's address: `url` fields are built from it and the permalink patterns.
    site_url: str = "http://localhost:3000"
    # The site's name and tagline (an empty tagline: the feed says "The latest posts from
    # <title>"), its language, a BCP 47 tag such as "en" or "de-AT", and its time zone:
    # the defaults of the site settings admins edit (GET /api/v1/site).
    site_title: str = "cms"
    site_description: str = ""
    site_language: str = Field(default="en", pattern=LANGUAGE_PATTERN)
    site_timezone: str = "Etc/UTC"
    # What the feed carries of each post: "excerpt", or "full" (the HTML as well).
    feed_content: Literal["excerpt", "full"] = "excerpt"
    # The API's public address for `links`; empty means "as the request reached us".
    api_url: str = ""
    permalink_post: str = "/post/{slug}"
    permalink_author: str = "/author/{slug}"
    permalink_tag: str = "/tag/{slug}"
    # Browsers on these origins may call the Content API ("*" = any) and the Admin API.
    # The largest request body taken (413 beyond it): JSON bodies are small, and 1 MB holds
    # a very long article (~100,000 characters) several times over.
    max_body_mb: float = Field(default=1.0, gt=0)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    admin_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Cache-Control for Content API responses: fresh for max-age seconds, then served stale
    # for up to stale-while-revalidate more while a cache fetches a new copy.
    cache_max_age: int = Field(default=60, ge=0)
    cache_stale_while_revalidate: int = Field(default=60, ge=0)
    # The server's own cache of Content API answers, per process: its size, and the most
    # seconds any process may go on serving an answer after another process's write.
    response_cache: bool = True
    response_cache_mb: int = Field(default=64, ge=1)
    cache_check_seconds: float = Field(default=1.0, gt=0, le=60)
    # How old a view_count in a cached GET may be: counting a view drops no cached answer;
    # one that shows the post is made again once it is this old (POST .../views is exact).
    view_count_max_age_seconds: float = Field(default=1.0, ge=0, le=60)
    # A Redis server (redis://host:6379/0) through which every process hears of the others'
    # writes at once, instead of within cache_check_seconds. Optional: empty means none.
    redis_url: str = ""
    # Responses smaller than this are not worth compressing.
    gzip_minimum_size: int = Field(default=500, ge=0)
    # How long a token from signing in with a password stays valid, in hours.
    session_hours: int = Field(default=12, ge=1)
    # After this many failed sign-ins for one e-mail from one client address within the
    # window, that address's further attempts at that e-mail are refused (429) until the
    # window has passed; the owner of the e-mail, elsewhere, still gets in. The looser
    # limit per address, across all e-mails, stops one client trying many (spraying).
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # Password hashes (argon2, 64 MiB each) computed at once per process, and how long a
    # sign-in waits for a turn before it is answered 503 with Retry-After: so that a flood
    # of sign-ins cannot take the memory and CPUs that every other request needs.
    password_hash_concurrency: int = Field(default_factory=half_the_cpus, ge=1)
    password_hash_wait_seconds: float = Field(default=0.5, ge=0, le=30)
    # Deleted posts stay restorable in the trash this long.
    trash_days: int = Field(default=30, ge=1)
    # Keys the hashes that tell visitors apart without storing their addresses. Set the
    # same value in every process; unset, each process picks a random one at start.
    secret_key: str = Field(default_factory=lambda: secrets.token_hex(32), repr=False)
    # Repeat views of a post by the same visitor within this many minutes count once.
    view_window_minutes: int = Field(default=30, ge=0)
    # Comments: how deep replies may nest, when they close, and the limits on abuse.
    comment_max_depth: int = Field(default=3, ge=0)
    comments_close_after_days: int = Field(default=0, ge=0)  # 0: they never close by age
    comment_max_links: int = Field(default=2, ge=0)
    comment_rate_limit: int = Field(default=5, ge=1)  # submissions per client address per window
    # Submissions per post per window, from all addresses together: what a flood from many
    # addresses can put in the moderation queue. 30 in 10 minutes is far above what a busy
    # post gets from people, and still a queue a moderator can clear.
    comment_post_rate_limit: int = Field(default=30, ge=1)
    comment_rate_window_minutes: int = Field(default=10, ge=1)
    # Approve at once a commenter who presents the commenter token of an approved comment.
    comment_auto_approve_known: bool = True
    # Gravatar avatar_urls for commenters. Off: the URL holds an unsalted hash of the e-mail,
    # so anyone can test whether an address they know has commented.
    gravatar: bool = False
    # `cms serve` logs every request only when asked: the log line costs ~40% of what a
    # cached answer takes to serve, and a proxy in front usually keeps its own access log.
    access_log: bool = False
    # The media library (API.md "Media"): files on local disk under media_dir, uploads of at
    # most media_max_mb, images of at most media_max_pixels (more is a decompression bomb:
    # a 12-megapixel photo is far below it), and the widths of the variants made of each.
    media_dir: str = "./media"
    media_max_mb: float = Field(default=20, gt=0)
    media_max_pixels: int = Field(default=50_000_000, ge=1)
    image_widths: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [320, 640, 1024, 1600, 2400]
    )
    # Files in an S3-compatible bucket instead, shared by several API machines: its endpoint
    # (unset for AWS itself) and region; readers fetch them under media_public_url (default:
    # the bucket's own address). Credentials as boto3 finds them (AWS_ACCESS_KEY_ID, ...).
    media_s3_bucket: str | None = None
    media_s3_endpoint: str | None = None
    media_s3_region: str | None = None
    media_public_url: str | None = None
    # Preview links (API.md "Previews"): how long one lasts, and the front end's page for it.
    preview_hours: float = Field(default=24, gt=0, le=24 * 366)
    preview_permalink: str = "/preview/{token}"
    # Webhooks (API.md "Webhooks"): `cms serve` sends them from each process (off: another
    # process does); receivers on private addresses only when allowed (a server on the same
    # network); an attempt ends after timeout seconds; the log keeps log_days of deliveries.
    webhooks_worker: bool = True
    webhooks_allow_private: bool = False
    webhooks_timeout_seconds: float = Field(default=10, gt=0, le=60)
    webhooks_log_days: float = Field(default=30, gt=0)
    # How often each process looks for what other processes wrote or what fell due (its
    # own writes wake it at once), and how many deliveries it sends at a time.
    webhooks_poll_seconds: float = Field(default=1, gt=0, le=60)
    webhooks_concurrency: int = Field(default=16, ge=1, le=256)

    @field_validator("media_public_url")
    @classmethod
    def strip_public_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("cors_origins", "admin_cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        # Accept the natural shell spelling: CMS_CORS_ORIGINS="https://a.com,https://b.com".
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("image_widths", mode="before")
    @classmethod
    def split_widths(cls, value: object) -> object:
        if isinstance(value, str):  # CMS_IMAGE_WIDTHS="320,640,1024"
            return [int(width) for width in value.split(",") if width.strip()]
        return value

    @field_validator("site_url", "api_url")
    @classmethod
    def strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def find_the_bucket(self) -> "Settings":
        # Where readers fetch the bucket's files, unless a CDN in front is named.
        if self.media_s3_bucket and not self.media_public_url:
            if self.media_s3_endpoint:  # path-style, as S3Storage writes
                base = f"{self.media_s3_endpoint.rstrip('/')}/{self.media_s3_bucket}"
            else:
                region = self.media_s3_region or "us-east-1"
                base = f"https://{self.media_s3_bucket}.s3.{region}.amazonaws.com"
            self.media_public_url = base
        return self

    @field_validator("site_timezone")
    @classmethod
    def check_timezone(cls, value: str) -> str:
        return time_zone(value)

    @field_validator("preview_permalink")
    @classmethod
    def check_preview_permalink(cls, value: str) -> str:
        try:
            value.format(token="x")
        except (KeyError, IndexError, ValueError):
            raise ValueError("a preview permalink takes one placeholder: {token}") from None
        if "{token}" not in value:
            raise ValueError("a preview permalink needs {token}")
        return value

    @field_validator("permalink_post")
    @classmethod
    def check_post_permalink(cls, value: str) -> str:
        return _check_pattern(value, POST_PERMALINK_FIELDS)

    @field_validator("permalink_author", "permalink_tag")
    @classmethod
    def check_permalink(cls, value: str) -> str:
        return _check_pattern(value, PERMALINK_FIELDS)


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    # Not "localtime" or "Factory": tzdata has them, front ends' date libraries do not.
    return frozenset(available_timezones()) - {"localtime", "Factory"}


def time_zone(name: str) -> str:
    """`name` if it is an IANA time zone (Europe/Berlin, Etc/UTC), else a ValueError."""
    if name not in _time_zones():
        raise ValueError("must be an IANA time zone name, such as Europe/Berlin or Etc/UTC")
    return name


def _check_pattern(pattern: str, fields: set[str]) -> str:
    if "{slug}" not in pattern and "{id}" not in pattern:
        raise ValueError("a permalink pattern needs {slug} or {id}")
    try:
        pattern.format(**dict.fromkeys(fields, "x"))
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"unknown placeholder {error} in permalink; use {', '.join(sorted(fields))}"
        ) from None
    return pattern


@lru_cache
def get_settings() -> Settings:
    return Settings()

// Drives Ghost's official Content API client (@tryghost/content-api, unmodified) against a
// running cms server, as a Ghost front end would. Each check prints one JSON line
// {"check", "ok", "detail"}; tests/ghost/test_official_client.py reads them.
// Usage: node official_client.mjs URL KEY REVOKED_KEY NODE_PREFIX (where npm installed it)
import { createRequire } from "node:module";

const [url, key, revoked, prefix] = process.argv.slice(2);
const GhostContentAPI = createRequire(`${prefix}/package.json`)("@tryghost/content-api");
const api = new GhostContentAPI({ url, key, version: "v5.0" });
const checks = [];

function check(name, run) {
  checks.push(
    run().then(
      (detail) => console.log(JSON.stringify({ check: name, ok: true, detail })),
      (error) =>
        console.log(
          JSON.stringify({ check: name, ok: false, detail: `${error.name}: ${error.message}` }),
        ),
    ),
  );
}

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

async function rejects(promise, type) {
  try {
    await promise;
  } catch (error) {
    expect(error.name === type, `expected ${type}, got ${error.name}: ${error.message}`);
    return error.message;
  }
  throw new Error(`expected ${type}, got an answer`);
}

check("browse all with authors and tags", async () => {
  const posts = await api.posts.browse({ limit: "all", include: "authors,tags" });
  expect(Array.isArray(posts), "an array");
  expect(posts.meta.pagination.total === posts.length, "every post");
  expect(posts.every((post) => post.primary_author && post.authors.length), "authors");
  expect(posts[0].primary_tag.slug, "a primary tag");
  return posts.map((post) => post.slug);
});

check("read by slug and by id", async () => {
  const bySlug = await api.posts.read({ slug: "first-light" }, { include: "tags" });
  expect(!Array.isArray(bySlug), "one object, not an array");
  const byId = await api.posts.read({ id: bySlug.id });
  expect(byId.slug === "first-light", "the same post by id");
  return [bySlug.title, byId.id === bySlug.id];
});

check("formats and fields", async () => {
  const [post] = await api.posts.browse({ limit: 1, formats: ["html", "plaintext"] });
  const [narrow] = await api.posts.browse({ limit: 1, fields: "id,title" });
  expect(post.html && post.plaintext, "html and plaintext");
  return Object.keys(narrow).sort();
});

for (const filter of [
  "tag:garden",
  "tag:-garden",
  "tags:[garden,kitchen]",
  "primary_tag:kitchen",
  "author:ada",
  "primary_author:ada",
  "featured:true",
  "featured:true+tag:garden",
  "tag:kitchen,featured:true",
  "(tag:kitchen,tag:garden)+featured:false",
  "published_at:>'2020-01-01'",
  "published_at:<=now-1d",
  "title:~'light'",
  "slug:[first-light,third-frost]",
  "visibility:public",
  "id:-0",
]) {
  check(`filter ${filter}`, async () => {
    const posts = await api.posts.browse({ filter, limit: "all", order: "slug asc" });
    return posts.map((post) => post.slug);
  });
}

check("order and paging", async () => {
  const first = await api.posts.browse({ limit: 2, page: 1, order: "title desc, published_at asc" });
  const second = await api.posts.browse({ limit: 2, page: 2, order: "title desc, published_at asc" });
  expect(first.meta.pagination.next === 2 && second.meta.pagination.prev === 1, "links");
  return [...first, ...second].map((post) => post.title);
});

check("authors with counts", async () => {
  const authors = await api.authors.browse({ include: "count.posts", limit: "all" });
  const ada = await api.authors.read({ slug: "ada" }, { include: "count.posts" });
  return [authors.map((author) => [author.slug, author.count.posts]), ada.count.posts];
});

check("tags", async () => {
  const tags = await api.tags.browse({ include: "count.posts", order: "count.posts desc" });
  const garden = await api.tags.read({ slug: "garden" });
  return [tags.map((tag) => [tag.slug, tag.count.posts]), garden.name];
});

check("settings", async () => {
  const settings = await api.settings.browse();
  return [settings.title, settings.url, Array.isArray(settings.navigation)];
});

check("pages", async () => {
  const pages = await api.pages.browse();
  return [pages.length, pages.meta.pagination.total];
});

check("not found", async () => rejects(api.posts.read({ slug: "no-such-post" }), "NotFoundError"));
check("bad filter", async () => rejects(api.posts.browse({ filter: "(tag:a" }), "BadRequestError"));
check("bad limit", async () => rejects(api.posts.browse({ limit: -1 }), "ValidationError"));
check("revoked key", async () =>
  rejects(
    new GhostContentAPI({ url, key: revoked, version: "v5.0" }).posts.browse(),
    "UnauthorizedError",
  ),
);
check("version 6 client", async () => {
  const posts = await new GhostContentAPI({ url, key, version: true }).posts.browse({ limit: 1 });
  return posts.length;
});

await Promise.all(checks);

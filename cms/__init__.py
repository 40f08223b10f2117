"""cms: a headless CMS that serves blog posts, authors and tags as JSON."""

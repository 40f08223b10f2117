# Varnish in front of cms: caches the Content API as cms's Cache-Control says, and drops
# answers by the keys cms names in Surrogate-Key. Run it with
#   varnishd -F -j none -n /tmp/cms-varnish -a 127.0.0.1:6081 -f "$PWD/deploy/varnish.vcl" -s malloc,256m
# and purge, from this host, with
#   curl -X PURGE -H 'Surrogate-Key: posts feeds post-12' http://127.0.0.1:6081/
# See README.md, "Speed: what is cached, and for how long"; tests/deploy/ runs this file.
vcl 4.1;

import std;

# `cms serve` listens on 127.0.0.1:8000 unless told otherwise.
backend cms {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: only this host. Add the addresses of the machines that publish.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        call purge_by_key;
    }
    # Signed-in answers, previews of drafts, and writes are never shared between readers.
    if (req.url ~ "^/api/v1/(admin|preview)(/|\?|$)" || req.http.Authorization ||
        (req.method != "GET" && req.method != "HEAD")) {
        return (pass);
    }
    # cms reads no cookies; a front end on the same domain may send its own, and Varnish's
    # builtin rules would not cache any request carrying one.
    unset req.http.Cookie;
    # Varnish's builtin rules follow (Host, methods): no return here.
}

# `PURGE` with `Surrogate-Key: <key> [<key> ...]` bans every stored answer whose own
# Surrogate-Key names one of those keys as a whole word: `post-1` does not drop `post-12`.
sub purge_by_key {
    if (client.ip !~ purgers) {
        return (synth(403, "Forbidden"));
    }
    # cms's keys are lowercase words and dashes; anything else would be read as a regex.
    if (req.http.Surrogate-Key !~ "^[a-z0-9-]+( [a-z0-9-]+)*$") {
        return (synth(400, "Surrogate-Key must name keys, separated by spaces"));
    }
    # A ban on obj.* alone: the ban lurker can drop matching objects in the background.
    # The regex unquoted, and [[:space:]] for a space: std.ban() splits its argument at
    # spaces and would take quotes as part of the regex.
    if (std.ban("obj.http.Surrogate-Key ~ (^|[[:space:]])(" +
            regsuball(req.http.Surrogate-Key, " ", "|") + ")([[:space:]]|$)")) {
        return (synth(200, "Banned"));
    }
    return (synth(400, std.ban_error()));
}

sub vcl_deliver {
    # Whether this answer came from Varnish's store. cms's own cache says so in cms-cache,
    # which Varnish stores with the answer: on a hit it tells what cms did back then.
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
}

sub vcl_synth {
    # A purge's answer is for scripts: one line of text, not Varnish's HTML error page.
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}

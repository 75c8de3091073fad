"""Issue 2: Simplified Chinese by default, English as the complete second language.

* every entry of locale/en/LC_MESSAGES/django.po is translated, not fuzzy, keeps its placeholders,
  and the committed .mo says the same thing as the .po;
* pages rendered with English active show English navigation (no Chinese UI labels left), and the
  default is Chinese (also for a browser that asks for English: the UI follows the user's choice,
  the language cookie set by the switcher); the switcher works;
* ``makemessages`` run on a temporary copy of the sources finds no msgid that the committed .po
  lacks, so a string added without a translation fails here, by name.

The .po is read by the tiny reader below (polib is not a project dependency).
"""

import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from core.roles import Role

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
#: what `makemessages` is told to skip (keep in step with the command in the failure message below)
IGNORED = {".venv", "var", "bench", "tests", "test-artifacts", ".git", "node_modules", "__pycache__"}
#: CJK ideographs and CJK punctuation (full-width brackets, 、。“” …)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018-\u201d]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}|(?<!\{)\{\w+\}(?!\})")


# --- a tiny .po reader ------------------------------------------------------------------------


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (or msgstr[N]), flags, refs.

    Obsolete entries (``#~``) are skipped. The header (msgid "") is included; callers skip it.
    """
    entries, cur, key = [], None, None

    def flush():
        nonlocal cur, key
        if cur is not None and "msgid" in cur:
            entries.append(cur)
        cur, key = None, None

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if cur is None:
            cur = {"flags": set(), "refs": []}
        if line.startswith("#,"):
            cur["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#:"):
            cur["refs"].extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            cur[key] += ast.literal_eval(line)
        else:
            if line.startswith(("msgctxt", "msgid ")) and any(k.startswith("msgstr") for k in cur):
                # a new entry without a blank line in between
                flush()
                cur = {"flags": set(), "refs": []}
            key, _, value = line.partition(" ")
            cur[key] = ast.literal_eval(value)
    flush()
    return entries


def _translations(entry):
    if "msgid_plural" in entry:
        return [v for k, v in sorted(entry.items()) if k.startswith("msgstr[")]
    return [entry.get("msgstr", "")]


def _messages(entries):
    return [e for e in entries if e["msgid"]]


def _name(entry):
    where = entry["refs"][0] if entry["refs"] else "?"
    return f"{entry['msgid']!r} ({where})"


# --- (a) the committed catalogue is complete ------------------------------------------------


def test_english_po_every_entry_translated_and_not_fuzzy():
    entries = read_po(PO)
    header = next(e for e in entries if not e["msgid"])
    assert "fuzzy" not in header["flags"], "the .po header is still marked fuzzy"
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    messages = _messages(entries)
    assert len(messages) > 1000  # the whole UI, not a sample
    untranslated = [_name(e) for e in messages if not all(t.strip() for t in _translations(e))]
    fuzzy = [_name(e) for e in messages if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated: " + "; ".join(untranslated[:20])
    assert not fuzzy, f"{len(fuzzy)} fuzzy: " + "; ".join(fuzzy[:20])


def test_english_po_keeps_placeholders():
    wrong = []
    for e in _messages(read_po(PO)):
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])] if "msgid_plural" in e else [e["msgid"]]
        for i, text in enumerate(_translations(e)):
            src = sources[min(i, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(f"{_name(e)} → {text!r}")
    assert not wrong, "placeholders differ: " + "; ".join(wrong[:20])


def test_english_translations_contain_no_chinese_except_quoted_names():
    """An English msgstr may quote a Chinese name in parentheses or quotes (清雁竞飞, 八大员, sample
    names in templates), but must not be Chinese text left over."""
    leftovers = []
    for e in _messages(read_po(PO)):
        if e["msgid"] in ("简体中文",):  # a language's own name, shown as is
            continue
        for text in _translations(e):
            stripped = re.sub(r"（[^）]*）|\([^)]*\)|\"[^\"]*\"|“[^”]*”|e\.g\. \S+", "", text)
            if len(CJK.findall(stripped)) > 2:
                leftovers.append(f"{_name(e)} → {text!r}")
    assert not leftovers, "Chinese left in English translations: " + "; ".join(leftovers[:20])


def test_committed_mo_matches_po():
    """The .mo is committed (machines without gettext); it must be compiled from the current .po."""
    assert MO.exists(), "run: manage.py compilemessages -l en"
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = []
    for e in _messages(read_po(PO)):
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            got = [catalog.npgettext(ctx, e["msgid"], e["msgid_plural"], n) if ctx else
                   catalog.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = _translations(e)[:2]
        else:
            got = catalog.pgettext(ctx, e["msgid"]) if ctx else catalog.gettext(e["msgid"])
            want = e["msgstr"]
        if got != want:
            stale.append(_name(e))
    assert not stale, (f"{len(stale)} entries differ between django.po and django.mo "
                       "(run: manage.py compilemessages -l en): " + "; ".join(stale[:10]))


# --- (b) pages in English and in Chinese -----------------------------------------------------


def _nav(html):
    match = re.search(r"<nav\b.*?</nav>", html, re.S)
    assert match, "no <nav> in the page"
    return match.group(0)


def _visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _choose_english(client):
    """What the language switcher does: the language cookie (the UI ignores Accept-Language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


ROLES = [Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON,
         Role.VILLAGE_SECRETARY, Role.CADRE]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_english_navigation_has_no_chinese_labels(world, client, role):
    user = world.users[role]
    client.force_login(user)
    _choose_english(client)
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Reserve Cadre Management System" in html
    nav = _nav(html)
    for expected in ("Log out", "Change password", "My sessions", "Notification"):
        assert expected in nav, expected
    # what may stay Chinese in the navigation: the user's own name and the switcher's "简体中文"
    text = _visible_text(nav).replace(str(user), " ").replace("简体中文", " ")
    chinese = sorted({m.group(0).strip() for m in re.finditer(r"[^\s<>]*" + CJK.pattern + r"[^\s<>]*", text)})
    assert not chinese, f"untranslated navigation labels for {role}: {chinese}"
    # attributes (aria-label, title) too
    attrs = re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', nav)
    assert not [a for a in attrs if CJK.search(a) and "语言" not in a], attrs


@pytest.mark.django_db
def test_english_home_page_chrome(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    _choose_english(client)
    html = client.get("/").content.decode()
    assert "<title>" in html and "· Reserve Cadre Management System</title>" in html
    assert "To do today" in html or "Nothing to do" in html
    for chinese in ("退出登录", "修改密码", "今日待办", "后备干部管理系统"):
        assert chinese not in html, chinese


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", [None, "en-US,en;q=0.9"])
def test_chinese_is_the_default(world, client, accept_language):
    client.force_login(world.users[Role.COUNTY_ORG])
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    html = client.get("/", **headers).content.decode()
    assert '<html lang="zh-hans">' in html
    nav = _nav(html)
    for label in ("后备干部管理系统", "退出登录", "修改密码", "选拔", "系统管理"):
        assert label in nav, label
    assert "Log out" not in html and "Reserve Cadre Management System" not in html


@pytest.mark.django_db
def test_language_switcher_in_user_menu_sets_english_and_back(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    html = client.get("/cadres/").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html and 'value="zh-hans"' in html
    assert 'name="next" value="/cadres/"' in html
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/cadres/"})
    assert resp.status_code == 302 and resp["Location"] == "/cadres/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log out" in client.get("/cadres/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_page_in_both_languages(client):
    zh = client.get("/login/").content.decode()
    assert "清流县村级后备干部管理系统" in zh and 'action="/i18n/setlang/"' in zh
    assert ">English</button>" in zh and ">简体中文</button>" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/login/").content.decode()
    assert "Qingliu County Village Reserve Cadre Management System" in en
    assert "Username" in en and "Password" in en
    text = _visible_text(en).replace("简体中文", " ")
    assert not CJK.search(text), sorted(set(CJK.findall(text)))


def _data_names():
    """Names that are data, not UI (townships, villages, people): they stay Chinese in English pages."""
    from cadres.models import Cadre
    from core.models import County, Township, User, Village

    names = set()
    for model, field in ((County, "name"), (Township, "name"), (Village, "name"), (Cadre, "name"),
                         (User, "full_name"), (User, "username")):
        names.update(v for v in model.objects.values_list(field, flat=True) if v)
    return sorted(names, key=len, reverse=True)


UI_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "th", "label", "button", "legend", "dt", "title", "caption")


def _chinese_ui_text(html, data_names):
    """Chinese left in headings, table headers, labels, buttons and attributes once data names,
    the switcher's "简体中文" and names quoted in parentheses (清雁竞飞, 三农, 八大员) are taken out."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    found = set()
    texts = [re.sub(r"<[^>]+>", " ", m.group(1)) for tag in UI_TAGS
             for m in re.finditer(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, re.S)]
    texts += re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', html)
    for text in texts:
        for name in data_names:
            text = text.replace(name, " ")
        text = re.sub(r"\([^)]*\)|（[^）]*）|简体中文|语言", " ", text)
        if re.search(r"[\u3400-\u9fff]", text):
            found.add(" ".join(text.split())[:100])
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COUNTY_ORG, Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.CADRE])
def test_english_pages_reachable_from_the_menu_have_no_chinese_ui_text(world, client, role):
    """Every page linked from the home page and from those pages (lists, forms, details), in English."""
    client.force_login(world.users[role])
    _choose_english(client)
    names = _data_names()
    queue, seen, bad = ["/"], set(), {}
    shapes: dict[str, int] = {}  # one page per shape is the same template: /rota/1/day/2026-12-01/ ~ …-02/
    while queue and len(seen) < 150:
        url = queue.pop(0)
        if url in seen or url.startswith(("/static", "/i18n", "/admin", "/api", "/logout")):
            continue
        shape = re.sub(r"\d+", "0", url)
        if shapes.get(shape, 0) >= 2:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen.add(url)
        resp = client.get(url)
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        html = resp.content.decode()
        queue += [u for u in re.findall(r'href="(/[^"#?]*)"', html) if u not in seen]
        found = _chinese_ui_text(html, names)
        if found:
            bad[url] = sorted(found)
    assert len(seen) > 10
    assert not bad, f"Chinese UI text in English pages for {role}: {bad}"


def test_gettext_is_imported_under_names_makemessages_extracts():
    """makemessages (xgettext) only extracts calls named gettext, gettext_lazy, ngettext, pgettext, _, …;
    ``from django.utils.translation import gettext_lazy as _l`` hides every ``_l("…")`` string from
    the .po, so it stays Chinese in English pages."""
    extracted = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
                 "pgettext_lazy", "npgettext", "npgettext_lazy"}
    functions = extracted | {"ugettext", "ugettext_lazy"}
    hidden = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if IGNORED & set(rel.parts) or "migrations" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    if alias.name in functions and (alias.asname or alias.name) not in extracted:
                        hidden.append(f"{rel}:{node.lineno} ({alias.name} as {alias.asname})")
    assert not hidden, ("gettext imported under a name makemessages does not extract (use _ or the "
                        "function's own name): " + "; ".join(hidden))


# --- (c) no new string without a translation -------------------------------------------------


def _copy_sources(dst):
    """The translatable sources (.py, .html, .txt, as makemessages looks at) and the locale dir."""

    def ignore(directory, names):
        skip = []
        for name in names:
            path = Path(directory) / name
            if name in IGNORED or name.endswith(".egg-info"):
                skip.append(name)
            elif path.is_file() and path.suffix not in (".py", ".html", ".txt", ".po", ".mo"):
                skip.append(name)
        return skip

    for child in ROOT.iterdir():
        if child.name in IGNORED or child.name.startswith(".") or child.name.endswith(".egg-info"):
            continue
        if child.is_dir():
            shutil.copytree(child, dst / child.name, ignore=ignore)
        elif child.suffix in (".py", ".html", ".txt"):
            shutil.copy2(child, dst / child.name)


def test_makemessages_finds_no_untranslated_string(tmp_path, monkeypatch):
    missing_tools = [t for t in ("xgettext", "msguniq", "msgmerge") if shutil.which(t) is None]
    if missing_tools:
        pytest.skip("GNU gettext not installed: " + ", ".join(missing_tools))
    _copy_sources(tmp_path)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
        call_command("makemessages", locale=["en"], verbosity=0,
                     ignore_patterns=sorted(IGNORED) + ["*.egg-info"])
    fresh = {(e.get("msgctxt"), e["msgid"]): e for e in _messages(read_po(tmp_path / "locale/en/LC_MESSAGES/django.po"))}
    committed = {(e.get("msgctxt"), e["msgid"]) for e in _messages(read_po(PO))}
    new = [_name(e) for key, e in fresh.items() if key not in committed]
    assert not new, (
        f"{len(new)} string(s) in the code are missing from locale/en/LC_MESSAGES/django.po — run "
        "`manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=test-artifacts`, "
        "translate them and run `manage.py compilemessages -l en`: " + "; ".join(new[:30]))
    # every fresh entry is translated after merging the committed catalogue
    untranslated = [_name(e) for e in fresh.values() if "fuzzy" in e["flags"] or not all(_translations(e))]
    assert not untranslated, "untranslated after merge: " + "; ".join(untranslated[:30])

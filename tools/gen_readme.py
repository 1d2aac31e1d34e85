# Copyright 2026 The service_contract authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Generate static/description/index.html, the page of the module in Odoo's
Apps menu, the way OCA's oca-gen-addon-readme does: from the manifest (name,
summary, version, license, author, website) and the readme/ fragments
(Markdown), with the screenshots of static/description/screenshots/.

    python3 tools/gen_readme.py           # writes static/description/index.html
    python3 tools/gen_readme.py --check   # fails when the file is not current

Images are given relative to static/description/ (``screenshots/x.png``):
Odoo serves them as /service_contract/static/description/screenshots/x.png
(ir.module.module rewrites such sources in the module's description), and a
browser opening the file from the repository finds them too.
"""

import argparse
import ast
import html
import sys
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
ADDON = "service_contract"
TARGET = ROOT / "static" / "description" / "index.html"
SCREENSHOTS = ROOT / "static" / "description" / "screenshots"

# (fragment, section title), in OCA's order; a missing fragment is skipped.
SECTIONS = [
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("HISTORY.md", "Changelog"),
]
# Every screenshot, in the order of the page, with its caption.
CAPTIONS = {
    "contract_form_desktop.png": "Contract form: terms, health, billing, visits",
    "contract_list_desktop.png": "Contracts, with the MRR in force summed",
    "billing_schedule_desktop.png": "Billing periods to invoice",
    "planning_desktop.png": "Planning of the visits",
    "alerts_desktop.png": "Alerts: what needs doing today",
    "dashboard_desktop.png": "Dashboard",
    "printed_contract_desktop.png": "The printed contract",
    "portal_home_desktop.png": "The customer's portal",
    "portal_contract_desktop.png": "A contract on the customer portal",
    "my_day_phone.png": "The technician's day, on a phone",
    "visit_phone.png": "A visit: start, checklist, sign, done",
    "contract_form_phone.png": "A contract on a phone",
    "portal_home_phone.png": "The customer's portal on a phone",
    "portal_contract_phone.png": "A contract on the portal, on a phone",
}
STYLE = """
body { font-family: sans-serif; line-height: 1.45; max-width: 1100px;
       margin: 0 auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
code { background: #f2f2f2; padding: 0 0.2em; }
.screenshots td { border: 0; text-align: center; }
.screenshots img { border: 1px solid #ccc; max-width: 100%; }
"""


def read_manifest():
    return ast.literal_eval((ROOT / "__manifest__.py").read_text(encoding="utf-8"))


def render_fragment(name):
    """Return (html, toc tokens) of readme/NAME, or None when it is missing
    or empty. Its level-2 headings become level 3 (under the section's)."""
    path = ROOT / "readme" / name
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        return None
    md = markdown.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 2}},
        output_format="html",
    )
    body = md.convert(path.read_text(encoding="utf-8"))
    return body, md.toc_tokens


def screenshots_html():
    files = sorted(path.name for path in SCREENSHOTS.glob("*.png"))
    missing = [name for name in files if name not in CAPTIONS]
    if missing:
        sys.exit(
            "tools/gen_readme.py: no caption for %s: add it to CAPTIONS"
            % ", ".join(missing)
        )
    cells = [
        '<td><img src="screenshots/{}" alt="{}" width="{}"/><br/>'
        "<em>{}</em></td>".format(
            name,
            html.escape(caption),
            260 if "_phone" in name else 520,
            html.escape(caption, quote=False),
        )
        for name, caption in CAPTIONS.items()
        if name in files
    ]
    desktop = [cell for cell in cells if "_phone" not in cell]
    phone = [cell for cell in cells if "_phone" in cell]
    rows = [desktop[i : i + 2] for i in range(0, len(desktop), 2)]
    rows += [phone[i : i + 3] for i in range(0, len(phone), 3)]
    return (
        '<table class="screenshots">\n'
        + "\n".join("<tr>%s</tr>" % "".join(row) for row in rows)
        + "\n</table>\n"
    )


def toc_html(sections):
    def items(tokens):
        return "".join(
            '<li><a href="#{}">{}</a>{}</li>'.format(
                token["id"],
                token["name"],
                "<ul>%s</ul>" % items(token["children"]) if token["children"] else "",
            )
            for token in tokens
        )

    return "<ul>%s</ul>" % items(sections)


def generate():
    manifest = read_manifest()
    esc = html.escape
    sections = []  # (id, title, body html, sub-section tokens)
    description = render_fragment("DESCRIPTION.md")
    if SCREENSHOTS.is_dir():
        sections.append(("screenshots", "Screenshots", screenshots_html(), []))
    for fragment, title in SECTIONS:
        rendered = render_fragment(fragment)
        if rendered:
            sections.append((title.lower(), title, rendered[0], rendered[1]))
    credits = [
        '<h3 id="authors">Authors</h3>\n<ul><li>%s</li></ul>'
        % esc(manifest.get("author", ""))
    ]
    contributors = render_fragment("CONTRIBUTORS.md")
    if contributors:
        credits.append('<h3 id="contributors">Contributors</h3>\n' + contributors[0])
    if manifest.get("website"):
        credits.append(
            '<h3 id="maintainers">Maintainers</h3>\n<p>This module is maintained at '
            '<a href="{0}">{0}</a>, where bugs and ideas are welcome.</p>'.format(
                esc(manifest["website"])
            )
        )
    sections.append(("credits", "Credits", "\n".join(credits), []))
    toc = [
        {
            "id": ident,
            "name": esc(title),
            "children": [
                {"id": t["id"], "name": t["name"], "children": []} for t in tokens
            ],
        }
        for ident, title, _body, tokens in sections
    ]
    badges = " · ".join(
        [
            "Version <strong>%s</strong>" % esc(manifest["version"]),
            "License <strong>%s</strong>" % esc(manifest.get("license", "")),
            "Odoo %s Community" % esc(".".join(manifest["version"].split(".")[:2])),
            "Technical name <code>%s</code>" % ADDON,
        ]
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        "<title>%s</title>" % esc(manifest["name"]),
        "<style>%s</style>" % STYLE,
        "</head>",
        "<body>",
        "<!-- Generated by tools/gen-readme from __manifest__.py and readme/:"
        " do not edit by hand. -->",
        '<div class="document">',
        "<h1>%s</h1>" % esc(manifest["name"]),
        "<p><strong>%s</strong></p>" % esc(" ".join(manifest["summary"].split())),
        "<p>%s</p>" % badges,
        description[0] if description else "",
        "<p><strong>Table of contents</strong></p>",
        toc_html(toc),
    ]
    for ident, title, body, _tokens in sections:
        parts.append('<h2 id="%s">%s</h2>\n%s' % (ident, esc(title), body))
    parts += ["</div>", "</body>", "</html>", ""]
    return "\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail when static/description/index.html is not current",
    )
    args = parser.parse_args()
    page = generate()
    current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else None
    if args.check:
        if page != current:
            sys.exit(
                "static/description/index.html is not current: "
                "run tools/gen-readme and commit it"
            )
        return
    if page != current:
        TARGET.write_text(page, encoding="utf-8")
        print("wrote %s" % TARGET.relative_to(ROOT))


if __name__ == "__main__":
    main()

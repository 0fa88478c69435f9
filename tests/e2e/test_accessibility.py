"""Accessibility: axe-core (installed from npm by `make test`, injected from disk) on every
public page, the survey form and its error state, the feedback form and its error state, in
both languages: no serious or critical WCAG 2.1 A/AA violation. And the survey and the feedback
form completed with the keyboard alone, focus always visible."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import require_or_skip
from tests.e2e.conftest import answer_steps, screenshot

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def audited(browser):
    """A phone-sized page allowed to run the injected axe script (the site's CSP forbids
    inline scripts, rightly)."""
    if not AXE.exists():
        require_or_skip(f"axe-core is not installed at {AXE} (make test runs npm ci)")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="vi-VN", bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => "
        "n.target.join(' ')).slice(0, 3)}))", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in violations
            if v["impact"] in ("serious", "critical")]


PAGES = ["/", "/hotline", "/procedures", "/procedures?q=dat+dai", "/procedures/{procedure}",
         "/q/{token}", "/results", "/results/one-stop?year=2026&quarter=2", "/feedback/new",
         "/feedback/track", "/feedback/published", "/feedback/published/{ticket}",
         "/staff/login", "/tablet/{tablet}", "/api/docs"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_public_pages_have_no_serious_accessibility_violations(live_server, sample, audited,
                                                               language):
    problems = {}
    for path in PAGES:
        url = live_server + path.format(**sample)
        audited.goto(url + ("&" if "?" in url else "?") + f"lang={language}")
        found = serious_violations(audited)
        if found:
            problems[path] = found
    assert problems == {}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_questions_about_a_dossier_have_no_serious_accessibility_violations(
        live_server, sample, audited, language):
    """A dossier's QR asking only the TT 01/2018 questions, and the tablet asking them after
    the statements with the dossier code box."""
    from sqlalchemy import select

    from portal.db import get_session
    from survey.models import Counter
    from survey.services import create_dossier_link
    from tests.e2e.conftest import one_stop_mode

    with live_server.app.app_context():
        session = get_session()
        counter = session.scalar(select(Counter).where(Counter.token == sample["token"]))
        link, _ = create_dossier_link(session, f"A11Y-{language}", counter)
        session.commit()
        token = link.token
    with one_stop_mode(live_server, "instead"):
        audited.goto(f"{live_server}/q/{token}?lang={language}")
        assert audited.locator("input[name=tt01_conduct]").count() == 2
        assert serious_violations(audited) == []
        screenshot(audited, f"survey-dossier-only-{language}-phone")
    with one_stop_mode(live_server, "besides"):
        audited.goto(f"{live_server}/tablet/{sample['tablet']}?lang={language}")
        assert audited.locator("input[name=dossier_code]").count() == 1
        assert serious_violations(audited) == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_error_states_have_no_serious_accessibility_violations(live_server, sample, audited,
                                                              language):
    page = audited
    page.goto(f"{live_server}/q/{sample['token']}?lang={language}")
    page.evaluate("document.querySelector('input[name=nonce]').value = 'forged'")
    answer_steps(page, [4] + [None] * 18)
    page.locator("form[data-survey] button[type=submit]").click()
    expect(page.locator("[role=alert]").first).to_be_attached()
    assert serious_violations(page) == []
    screenshot(page, f"survey-error-{language}-phone")
    page.goto(f"{live_server}/feedback/new?lang={language}")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").nth(2)).to_be_attached()
    assert serious_violations(page) == []
    screenshot(page, f"feedback-error-{language}-phone")
    page.goto(f"{live_server}/feedback/track?lang={language}")
    page.locator("main form input[name=code]").fill("PA-2026-000001A")
    page.locator("main form input[name=contact]").fill("0900000000")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert serious_violations(page) == []


def _focus_is_visible(page) -> bool:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const shown = (node) => {
            if (!node) return false;
            const style = getComputedStyle(node);
            return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== 'none';
        };
        const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
        return shown(el) || shown(label);
    }""")


def _tab(page):
    page.keyboard.press("Tab")
    return page.evaluate("""() => { const el = document.activeElement;
        return {tag: el.tagName, type: el.type || '', name: el.name || '',
                checked: !!el.checked, text: (el.innerText || '').trim(),
                attributes: el.getAttributeNames()}; }""")


def test_the_survey_can_be_completed_with_the_keyboard_alone(live_server, sample, desktop):
    page = desktop
    page.goto(f"{live_server}/q/{sample['token']}")
    answered = set()
    for _ in range(400):
        focused = _tab(page)
        assert _focus_is_visible(page), focused
        if focused["type"] == "radio" and focused["name"] not in answered:
            for _ in range(3):  # arrows move and select: level 1 → 4
                page.keyboard.press("ArrowRight")
            answered.add(focused["name"])
        if focused["tag"] == "BUTTON" and "data-step-next" in focused["attributes"]:
            page.keyboard.press("Enter")  # the next dimension; focus moves to its heading
        if focused["tag"] == "BUTTON" and focused["type"] == "submit":
            break
    assert len(answered) == 19
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks")
    assert "Xin cảm ơn Ông/Bà!" in page.locator("h1").inner_text()


def test_the_feedback_form_can_be_completed_with_the_keyboard_alone(live_server, desktop):
    page = desktop
    page.goto(f"{live_server}/feedback/new")
    values = {"content": "Bộ phận một cửa hẹn trả kết quả nhưng đến hẹn vẫn chưa có, không "
                         "ai báo trước.",
              "name": "Hồ Thị Phím", "address": "số 3 Lý Tự Trọng, phường Nha Trang",
              "phone": "0905 777 888"}
    for _ in range(200):
        focused = _tab(page)
        assert _focus_is_visible(page), focused
        if focused["name"] == "kind" and not focused["checked"]:
            page.keyboard.press("Space")
        elif focused["name"] in values:
            page.keyboard.type(values.pop(focused["name"]))
        if focused["tag"] == "BUTTON" and "data-step-next" in focused["attributes"]:
            page.keyboard.press("Enter")  # the next dimension; focus moves to its heading
        if focused["tag"] == "BUTTON" and focused["type"] == "submit":
            break
    assert values == {}
    page.keyboard.press("Enter")
    page.wait_for_url("**/feedback/receipt/**")
    assert page.locator(".tracking-code").inner_text().startswith("PA-")


def test_the_audit_does_find_violations(audited):
    """The check can fail: a page with an image without a text alternative and an unlabeled
    input is caught."""
    audited.set_content('<html lang="vi"><body><main><img src="a.png"><input type="text">'
                        '</main></body></html>')
    found = " ".join(serious_violations(audited))
    assert "image-alt" in found and "label" in found


def staff_pages(app, values: dict) -> list[str]:
    """Every staff page of app.url_map, its parameters filled with real records."""
    import re

    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/staff/") \
                or rule.endpoint in ("auth.logout",) or "/export" in rule.rule \
                or re.search(r"\.[a-z<][^/]*$", rule.rule) \
                or {"fmt", "file_format", "image_format", "filename"} & set(rule.arguments):
            continue  # files (images, exports), not pages
        url = rule.rule
        for name in rule.arguments:
            choice = re.search(rf"<any\(([^)]*)\):{name}>", url)
            value = choice.group(1).split(",")[0].strip() if choice else values.get(name, "1")
            url = re.sub(rf"<(?:[^>]*:)?{name}>", value, url)
        pages.append(url)
    return pages


def test_staff_pages_have_no_serious_accessibility_violations_at_phone_width(
        live_server, sample, audited):
    """Every staff page as an officer with every role sees it on a phone, scrolling tables
    reachable with the keyboard (issue 12, point 9)."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.auth.roles import ROLES
    from portal.auth.services import create_user
    from portal.db import get_session
    from survey.models import Counter, Questionnaire
    from tests.e2e.conftest import DEMO_PASSWORD

    with live_server.app.app_context():
        session = get_session()
        if session.scalar(select(User).where(User.username == "a11y-all")) is None:
            create_user(session, username="a11y-all", full_name="Kiểm Tra Truy Cập",
                        password=DEMO_PASSWORD, roles=list(ROLES))
            session.commit()
        user_id = session.scalar(select(User.id).where(User.username == "admin"))
        values = {"code": sample["ticket"], "user_id": str(user_id),
                  "counter_id": str(session.scalar(select(Counter.id))),
                  "questionnaire_id": str(session.scalar(select(Questionnaire.id))),
                  "unit_id": "1", "notice": "received"}
    page = audited
    page.goto(live_server + "/staff/login")
    page.get_by_label("Tên đăng nhập").fill("a11y-all")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server + "/staff/")
    problems, audited_pages = {}, 0
    for path in staff_pages(live_server.app, values):
        response = page.goto(live_server + path)
        if response is None or response.status != 200 \
                or "text/html" not in response.headers.get("content-type", ""):
            continue
        audited_pages += 1
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
    assert audited_pages >= 40, audited_pages

"""The API explorer in a real browser: `make run`'s host, headless Chromium, Swagger UI, the development issuer.

A person opens `/api/docs`, presses Authorize, signs in as a development user on the issuer's page (a
popup, authorization code with PKCE), and creates a skill with Try it out: the page shows the 201 and the
created facet; a body the API refuses shows the 400 in Graph's envelope. No token is copied anywhere.
The page must load with nothing its Content-Security-Policy blocks (the browser's console is read), and
keeps no token in the browser's storage. Screenshots of both answers are saved under .cache/test-artefacts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.auth.dev_issuer import dev_object_id
from tests.e2e.conftest import Api
from tests.support.browser import ARTEFACTS, chromium, require_browser
from tests.support.localhost import PROJECT_ROOT

pytestmark = pytest.mark.long_running

WAIT_S = 30
USER = "megan.bowen@contoso.dev"
EXPLORER_SECTION = "## Walkthrough: the API explorer in the browser"


def readme_steps() -> tuple[dict, str]:
    """The README's explorer walkthrough: the body of its create, and the proficiency of its refused one."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n{EXPLORER_SECTION}\n", 1)[1].split("\n## ", 1)[0]
    body = re.search(r"body\s+`(\{[^`]*\})`", section)
    refused = re.search(r'The same with `"proficiency": "(\w+)"`', section)
    assert body and refused, "the README's steps name a body and a refused proficiency"
    return json.loads(body[1]), refused[1]


def test_the_readme_shows_the_explorer_first_after_make_run() -> None:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections[sections.index("Quick start") + 1] == EXPLORER_SECTION.removeprefix("## ")
    assert "http://127.0.0.1:7071/api/docs" in text.split(EXPLORER_SECTION, 1)[1].split("\n## ", 1)[0]
    skill, refused = readme_steps()
    assert set(skill) <= {"displayName", "proficiency", "allowedAudiences"} and refused != skill["proficiency"]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    require_browser()
    with chromium(tmp_path / "profile") as driver:
        yield driver


def _severe(driver: object, origin: str) -> list[str]:
    """Console messages since the last call that mean something failed or was blocked (CSP violations are
    errors). The browser's own request for `/favicon.ico` from a page that names no icon (Swagger UI's OAuth
    redirect page) is outside the API and not counted."""
    entries = driver.get_log("browser")  # type: ignore[attr-defined]
    return [
        e["message"]
        for e in entries
        if (e["level"] == "SEVERE" or "Content Security Policy" in e["message"])
        and not e["message"].startswith(f"{origin}/favicon.ico ")
    ]


def test_sign_in_and_try_it_out_in_a_real_browser(dev_api: Api, browser: object) -> None:
    """The README's walkthrough, as a person follows it (as Megan Bowen: any listed user will do)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver: WebDriver = browser  # type: ignore[assignment]
    wait = WebDriverWait(driver, WAIT_S)
    css = By.CSS_SELECTOR

    # 1. The page: Swagger UI renders every operation of the document.
    origin = dev_api.url.removesuffix("/api")
    assert f"  explorer: {dev_api.url}/docs\n" in dev_api.host.stdout, "make run names the explorer"
    driver.get(f"{dev_api.url}/docs")
    operation = wait.until(ec.presence_of_element_located((css, "#operations-skills-skills_create_me")))
    assert driver.title == "Profile API explorer"
    assert "Profile API" in driver.find_element(css, ".info .title").text
    assert _severe(driver, origin) == [], "the page loads with nothing blocked or failing"

    # 2. Authorize: the oauth2 scheme, signed in on the development issuer's page in a popup.
    driver.find_element(css, ".auth-wrapper .authorize").click()
    wait.until(ec.presence_of_element_located((css, ".modal-ux")))
    assert driver.find_element(By.ID, "client_id_authorizationCode").get_attribute("value")
    main = driver.current_window_handle
    driver.find_element(css, "button[aria-label='Apply given OAuth2 credentials']").click()
    wait.until(lambda d: len(d.window_handles) == 2)
    driver.switch_to.window(next(h for h in driver.window_handles if h != main))
    choice = wait.until(ec.element_to_be_clickable((css, f"button[value='{USER}']")))
    assert "/dev-issuer/" in driver.current_url and "code_challenge_method=S256" in driver.current_url
    assert driver.find_elements(css, "button[value='app']"), "the app-only choice is offered"
    choice.click()
    wait.until(lambda d: len(d.window_handles) == 1)  # the redirect page hands the code over and closes
    driver.switch_to.window(main)
    wait.until(ec.presence_of_element_located((css, ".modal-ux .auth-container h6")))
    modal = driver.find_element(css, ".modal-ux").text
    assert "Authorized" in modal and "Logout" in modal, modal
    driver.find_element(css, ".modal-ux .btn-done").click()

    # 3. Try it out: POST me/profile/skills -> 201 and the created skill.
    driver.execute_script("arguments[0].scrollIntoView()", operation)
    operation.find_element(css, ".opblock-summary-control").click()
    wait.until(ec.element_to_be_clickable((css, "#operations-skills-skills_create_me .try-out__btn"))).click()
    skill, refused_proficiency = readme_steps()
    created = _execute(driver, wait, json.dumps(skill), "201")
    assert {k: created[k] for k in skill} == skill
    assert created["createdBy"]["user"] == {"displayName": "Megan Bowen", "id": dev_object_id(USER)}
    assert _severe(driver, origin) == [], "signing in and trying out: nothing blocked or failing"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTEFACTS / "explorer-201.png"))

    # 4. The same operation with a body the API refuses: 400 in Graph's envelope, on the page.
    refused = _execute(driver, wait, json.dumps({**skill, "proficiency": refused_proficiency}), "400")
    assert refused["error"]["code"] == "invalidRequest"
    assert refused["error"]["details"][0]["target"] == "proficiency"
    assert refused["error"]["innerError"]["request-id"]

    driver.save_screenshot(str(ARTEFACTS / "explorer-400.png"))
    # The browser logs the 400 it was shown as a failed load; anything else (a CSP violation) is a failure.
    assert [m for m in _severe(driver, origin) if "status of 400" not in m] == []
    stored = driver.execute_script("return [window.localStorage.length, window.sessionStorage.length]")
    assert stored == [0, 0], "no token is kept in the browser's storage"

    # The facet was stored for the user who signed in: read back with a token of that user.
    listed = requests.get(
        f"{dev_api.url}/me/profile/skills", headers={"Authorization": f"Bearer {_token(USER)}"}, timeout=30
    )
    assert [s["id"] for s in listed.json()["value"]] == [created["id"]]


def _execute(driver: object, wait: object, body: str, status: str) -> dict:
    """Put `body` in the operation's editor, press Execute, wait for `status`; the response body shown.

    The body is set as a paste would set it (one input event), not key by key: Swagger UI re-renders on
    every key, which on a busy machine takes longer than the test may wait."""
    from selenium.webdriver.common.by import By

    block = driver.find_element(By.CSS_SELECTOR, "#operations-skills-skills_create_me")  # type: ignore[attr-defined]
    editor = block.find_element(By.CSS_SELECTOR, "textarea.body-param__text")
    driver.execute_script(  # type: ignore[attr-defined]
        "const [editor, text] = arguments;"
        "Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(editor, text);"
        "editor.dispatchEvent(new Event('input', {bubbles: true}));",
        editor,
        body,
    )
    block.find_element(By.CSS_SELECTOR, ".execute").click()
    row = "#operations-skills-skills_create_me .live-responses-table tr.response"

    def shown(d: object) -> bool:
        cells = d.find_elements(By.CSS_SELECTOR, f"{row} .response-col_status")  # type: ignore[attr-defined]
        return bool(cells) and cells[0].text.strip() == status

    wait.until(shown)  # type: ignore[attr-defined]
    return json.loads(block.find_element(By.CSS_SELECTOR, f"{row} .highlight-code pre").text)


def _token(user: str) -> str:
    """A development token of `user`, as `make -s token USER=...` prints it (the host trusts the same keys)."""
    from shared.auth.dev_issuer import mint_token
    from shared.settings import load_settings

    return mint_token(load_settings({}), user=user, scopes=["User.ReadWrite"], roles=[], name=None)

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_care_manager_logs_in_and_sees_the_dashboard(page, live_server, log_in) -> None:  # noqa: ANN001
    call_command("load_demo", verbosity=0)
    page.goto(live_server.url)
    assert "/login/" in page.url  # login required
    log_in("sato")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="ホーム").is_visible()
    assert "佐藤 美咲" in page.locator(".session-box").inner_text()
    from caremgmt.access import actor_for, visible
    from caremgmt.models import Staff
    from clients.models import Client, ClientStatus

    caseload = visible(
        Client.objects.exclude(status=ClientStatus.ENDED),
        actor_for(Staff.objects.get(username="sato")),
    )
    assert f"{caseload.count()}人" in page.locator(".card").first.inner_text().replace("\n", "")
    assert page.locator("body").get_attribute("hx-history") == "false"
    page.get_by_role("link", name="利用者", exact=True).click()
    assert page.get_by_role("link", name="青木 トメ").is_visible()
    assert page.get_by_text("遠藤 清").count() == 0  # a colleague's client


def test_wrong_password_shows_japanese_message(page, live_server) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ログインID またはメールアドレス").fill("nobody")
    page.get_by_label("パスワード").fill("wrong-password-123")
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_text("ログインIDまたはパスワードが正しくありません。").is_visible()

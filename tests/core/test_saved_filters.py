"""Issue 17 saved filters: on every list page with the shared filter form, "保存当前筛选" keeps the list's own
filter parameters under a name; "已保存的筛选" applies them again; only the owner sees and deletes theirs."""

import re

import pytest
from django.test import Client

from core.models import SavedFilter
from core.roles import Role
from core.services import SAVED_FILTERS_PER_LIST

pytestmark = pytest.mark.django_db


def signed_form(text):
    """The save form of the control as the page renders it: (token, query)."""
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    query = re.search(r'name="query" value="([^"]*)"', text).group(1).replace("&amp;", "&")
    return token, query


@pytest.fixture
def org(world):
    c = Client()
    c.force_login(world.users[Role.COUNTY_ORG])
    return c


def test_save_a_filter_and_apply_it_from_the_dropdown(world, org):
    text = org.get("/cadres/", {"q": "张", "status": "active", "page": "1"}).content.decode()
    assert 'data-testid="saved-filters"' in text and "保存当前筛选" in text
    token, query = signed_form(text)
    r = org.post("/lists/filters/", {"token": token, "query": query, "name": "在职张姓"}, follow=True)
    assert r.redirect_chain[-1][0] == "/cadres/?q=%E5%BC%A0&status=active"
    page = r.content.decode()
    assert "已保存筛选“在职张姓”" in page
    assert 'data-testid="saved-filter">在职张姓</a>' in page
    assert 'href="/cadres/?q=%E5%BC%A0&amp;status=active"' in page  # the dropdown applies it
    assert "张三" in org.get("/cadres/?q=%E5%BC%A0&status=active").content.decode()
    # another list does not show it; another user does not see it
    assert "在职张姓" not in org.get("/attendance/leave/").content.decode()
    other = Client()
    other.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert "在职张姓" not in other.get("/cadres/").content.decode()


def test_the_saved_query_keeps_only_the_lists_own_filter_params(world, org):
    text = org.get("/cadres/", {"q": "张"}).content.decode()
    token, _query = signed_form(text)
    org.post("/lists/filters/", {"token": token, "name": "x",
                                 "query": "q=%E5%BC%A0&page=3&export=xlsx&evil=%3Cscript%3E&sort=-name&status="})
    assert SavedFilter.objects.get(name="x").query == "q=%E5%BC%A0"


def test_a_tampered_list_token_saves_nothing(world, org):
    r = org.post("/lists/filters/", {"token": "forged", "query": "q=x", "name": "x"})
    assert r.status_code == 404
    assert not SavedFilter.objects.exists()


def test_bad_input_is_refused_in_chinese_and_changes_nothing(world, org):
    token, query = signed_form(org.get("/cadres/", {"q": "张"}).content.decode())
    text = org.post("/lists/filters/", {"token": token, "query": query, "name": " "}, follow=True).content.decode()
    assert "请给这个筛选起个名字" in text
    text = org.post("/lists/filters/", {"token": token, "query": "page=2", "name": "空"}, follow=True).content.decode()
    assert "当前没有设置任何筛选条件" in text
    assert not SavedFilter.objects.exists()
    # no filter set: the page offers no save form, only the dropdown
    assert "保存当前筛选" not in org.get("/cadres/").content.decode()


def test_a_name_saved_again_replaces_and_twenty_per_list_at_most(world, org):
    token, _query = signed_form(org.get("/cadres/", {"q": "张"}).content.decode())
    org.post("/lists/filters/", {"token": token, "query": "q=a", "name": "同名"})
    org.post("/lists/filters/", {"token": token, "query": "q=b", "name": "同名"})
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["q=b"]
    for i in range(SAVED_FILTERS_PER_LIST - 1):
        org.post("/lists/filters/", {"token": token, "query": f"q={i}", "name": f"第{i}个"})
    assert SavedFilter.objects.count() == SAVED_FILTERS_PER_LIST
    text = org.post("/lists/filters/", {"token": token, "query": "q=z", "name": "多一个"}, follow=True).content.decode()
    assert "每个列表最多保存 20 个筛选" in text
    assert SavedFilter.objects.count() == SAVED_FILTERS_PER_LIST


def test_only_the_owner_deletes(world, org):
    token, query = signed_form(org.get("/cadres/", {"q": "张"}).content.decode())
    org.post("/lists/filters/", {"token": token, "query": query, "name": "张"})
    saved = SavedFilter.objects.get()
    other = Client()
    other.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert other.post(f"/lists/filters/{saved.pk}/delete/").status_code == 404
    assert other.get(f"/lists/filters/{saved.pk}/delete/").status_code == 405
    assert SavedFilter.objects.exists()
    r = org.post(f"/lists/filters/{saved.pk}/delete/", {"next": "/cadres/?q=%E5%BC%A0"}, follow=True)
    assert "已删除筛选“张”" in r.content.decode()
    assert not SavedFilter.objects.exists()
    assert saved.history.first().history_type == "-"  # the deletion is in the history


def test_the_pending_tab_is_kept_with_the_filter(world):
    c = Client()
    c.force_login(world.users[Role.TOWNSHIP_LIAISON])
    token, query = signed_form(c.get("/attendance/leave/", {"mine": "pending", "q": "张"}).content.decode())
    c.post("/lists/filters/", {"token": token, "query": query, "name": "待批张"})
    assert SavedFilter.objects.get().url == "/attendance/leave/?q=%E5%BC%A0&mine=pending"


def test_a_hand_written_filter_form_has_the_control_too(world, org):
    text = org.get("/supervision/attachments/plan/", {"q": "张", "flag": "short", "page": "2"}).content.decode()
    assert 'data-testid="saved-filters"' in text
    token, query = signed_form(text)
    org.post("/lists/filters/", {"token": token, "query": query + "&export=xlsx&x=1", "name": "计划"})
    assert SavedFilter.objects.get().url == "/supervision/attachments/plan/?q=%E5%BC%A0&flag=short"

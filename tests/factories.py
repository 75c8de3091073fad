"""factory_boy factories shared by every app's tests. Apps add their own in tests/<app>/factories.py."""

import datetime as dt
import itertools

import factory
from django.test import Client

from cadres.models import Cadre, Education, Post
from core import idcard
from core.models import County, Township, User, Village
from core.roles import Role

_seq = itertools.count(1)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试{n}县")
    code = factory.Sequence(lambda n: f"{360000 + n % 9999:06d}")  # fixtures use 3504xx


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"测试{n}镇")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county.code}{300 + n % 700:03d}")  # fixtures use 1xx and 2xx


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.township.code}{300 + n % 700:03d}")  # fixtures use 2xx
    quota = 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    must_change_password = False
    password = factory.PostGenerationMethodCall("set_password", "Passw0rd!2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def id_number_for(born=dt.date(1995, 5, 17), female=False, region="350423") -> str:
    """A fresh valid 身份证号 (unique within a test run)."""
    n = next(_seq)
    seq = (n * 2) % 1000
    if not female:
        seq = seq + 1 if seq % 2 == 0 else seq
    else:
        seq = seq if seq % 2 == 0 else (seq + 1) % 1000
    born = born + dt.timedelta(days=n // 500)
    return idcard.make_id_number(region, born, seq)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    id_number = factory.LazyFunction(id_number_for)
    gender = factory.LazyAttribute(lambda o: idcard.gender(o.id_number))
    birth_date = factory.LazyAttribute(lambda o: idcard.birth_date(o.id_number))
    education = Education.HIGH_SCHOOL
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    village = factory.SubFactory(VillageFactory)
    post = Post.SECRETARY_ASSISTANT
    appointed_on = dt.date(2023, 1, 1)
    status = Cadre.Status.ACTIVE


def user_with_role(role: str, unit, **kwargs) -> User:
    """A user holding ``role`` on ``unit`` through the real role service (guardian permission included)."""
    from core.services import role_assign

    user = UserFactory(**kwargs)
    tier = {"county": "county", "township": "township", "village": "village"}[unit._meta.model_name]
    role_assign(user=user, role=role, **{tier: unit})
    return user


def cadre_user(cadre: Cadre, **kwargs) -> User:
    user = UserFactory(**kwargs)
    cadre.user = user
    cadre.save(update_fields=["user"])
    return user


__all__ = ["CountyFactory", "TownshipFactory", "VillageFactory", "UserFactory", "CadreFactory",
           "user_with_role", "cadre_user", "id_number_for", "Role"]


def client_for(user: User) -> Client:
    """A test Client logged in as ``user``."""
    c = Client()
    c.force_login(user)
    return c


def home_page(client: Client, user: User) -> str:
    """The home page's HTML as ``user`` sees it (``client`` is logged in as them)."""
    client.force_login(user)
    return client.get("/").content.decode()

"""Demo accounts for `manage.py seed_demo`: deterministic, idempotent, realistic."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.roles import Role

User = get_user_model()

DEMO_PASSWORD = "baijia-demo-2026"

# One account per role; the staff account signs in to /admin/.
ROLE_ACCOUNTS = [
    (Role.STUDENT, "13800000001", "student@baijia.example", "王小丽"),
    (Role.INSTRUCTOR, "13800000002", "teacher@baijia.example", "李建国"),
    (Role.MERCHANT, "13800000003", "merchant@baijia.example", "张明"),
    (Role.STAFF, "13800000004", "staff@baijia.example", "陈静"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
    "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬"
    "建国建华志强海燕晓东雪梅佳怡子涵浩然欣怡宇轩梓涵一诺思远雨桐"
)


def demo_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2))))


def seed_users(*, scale: int = 1) -> list[tuple[str, str, str, str]]:
    """Create (or reset) one account per role and `scale * 20` more students.
    Returns (role, name, phone, e-mail) for each role account."""
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    accounts = []
    for role, phone, email, name in ROLE_ACCOUNTS:
        user, _created = User.objects.update_or_create(
            phone=phone,
            defaults={
                "display_name": name,
                "email": email,
                "password": password_hash,
                "is_staff": role == Role.STAFF,
                "is_active": True,
            },
        )
        user.groups.add(groups[role])
        accounts.append((role, name, phone, email))

    rng = random.Random(2026)
    students = [
        User(phone=f"139{index:08d}", display_name=demo_name(rng), password=password_hash)
        for index in range(1, scale * 20 + 1)
    ]
    existing = set(User.objects.filter(phone__in=[s.phone for s in students]).values_list("phone", flat=True))
    created = User.objects.bulk_create([s for s in students if s.phone not in existing])
    groups[Role.STUDENT].user_set.add(*User.objects.filter(phone__in=[s.phone for s in created]))
    return accounts

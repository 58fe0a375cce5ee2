"""
The demo's accounts. Demo passwords only: this site runs on 127.0.0.1 and is never deployed.
"""

DEMO_ACCOUNTS = [
    {"username": "staff", "password": "staff-demo-pw", "role": "program staff (admin)", "is_staff": True},
    {"username": "chair", "password": "chair-demo-pw", "role": "chair of both review panels", "is_staff": False},
    {"username": "reviewer", "password": "reviewer-demo-pw", "role": "Core Product panel reviewer", "is_staff": False},
    {"username": "reviewer2", "password": "reviewer-demo-pw", "role": "reviewer on both panels", "is_staff": False},
    {"username": "member", "password": "member-demo-pw", "role": "Distinguished Contributor, partner contact",
     "is_staff": False},
    {"username": "learner1", "password": "learner-demo-pw", "role": "learner (self-nominated)", "is_staff": False},
    {"username": "learner2", "password": "learner-demo-pw", "role": "learner (peer-nominated)", "is_staff": False},
]

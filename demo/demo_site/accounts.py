"""
The demo's accounts. Demo passwords only: this site runs on 127.0.0.1 and is never deployed.
"""

DEMO_ACCOUNTS = [
    {"username": "staff", "password": "staff-demo-pw", "role": "program staff (admin)", "is_staff": True},
    {"username": "reviewer", "password": "reviewer-demo-pw", "role": "review panel member", "is_staff": False},
    {"username": "member", "password": "member-demo-pw", "role": "Distinguished Contributor, partner contact",
     "is_staff": False},
    {"username": "learner1", "password": "learner-demo-pw", "role": "learner (self-nominated)", "is_staff": False},
    {"username": "learner2", "password": "learner-demo-pw", "role": "learner (peer-nominated)", "is_staff": False},
]

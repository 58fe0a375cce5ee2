"""
The demo's accounts. Demo passwords only: this site runs on 127.0.0.1 and is never deployed.
"""

DEMO_ACCOUNTS = [
    {"username": "staff", "password": "staff-demo-pw", "role": "program staff (admin)", "is_staff": True,
     "can": "runs the program: the admin, the dashboard and budget, every nomination, the review"},
    {"username": "chair", "password": "chair-demo-pw", "role": "chair of both review panels", "is_staff": False,
     "can": "reviews, assigns reviewers, reads the scoreboard and records decisions"},
    {"username": "reviewer", "password": "reviewer-demo-pw", "role": "Core Product panel reviewer",
     "is_staff": False, "can": "scores the nominations assigned to them; supports learner1's nomination"},
    {"username": "reviewer2", "password": "reviewer-demo-pw", "role": "reviewer on both panels", "is_staff": False,
     "can": "scores the nominations assigned to them on both panels, declares conflicts"},
    {"username": "member", "password": "member-demo-pw", "role": "Distinguished Contributor, partner contact",
     "is_staff": False, "can": "My membership: renewal, activities, badge, certificate, award address, referral"},
    {"username": "learner1", "password": "learner-demo-pw", "role": "learner (self-nominated)", "is_staff": False,
     "can": "nominates and follows their self-nomination"},
    {"username": "learner2", "password": "learner-demo-pw", "role": "learner (peer-nominated)", "is_staff": False,
     "can": "answers member's nomination of them (consent), nominates"},
]

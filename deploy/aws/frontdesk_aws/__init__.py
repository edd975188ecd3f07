"""The Frontdesk AWS stack (CDK, Python): see app.py and docs/install/aws.md."""

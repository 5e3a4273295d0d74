"""How reports reach the office, and what their pictures say.

- ``views``, ``forms``, ``urls``: the public tip form, its receipt and the status page per code;
  "check a screenshot" for visitors (``checks``);
- ``wechat/``: the official account's message server;
- ``receive``: storing a report from any channel (a citizen's tip, a sighting staff recorded on patrol),
  in its rumor group;
- ``reading``, ``ocr``, ``tasks``: reading screenshots in the task queue (text and fingerprint).

Intake hands every report to casework (``tips.casework``); it never decides a report's status itself.
"""

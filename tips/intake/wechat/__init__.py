"""The office's WeChat official account as a channel for tips (公众号消息接口).

``protocol`` is the wire format (signatures, XML in and out), ``crypto`` its safe (encrypted) mode,
``views`` the server URL WeChat calls, ``replies`` what a message becomes (an answer from a
clarification, or a tip), ``storing`` how a tip is stored within WeChat's five seconds even while the
database is locked (kept on disk, answered with the code it will have, stored when the lock clears:
the design is in its docstring), ``pictures`` the
bounded fetch of a picture after the reply. Configuration: ``WECHAT_TOKEN`` (the endpoint answers 404
without it), ``WECHAT_ACCOUNT_ID``, ``WECHAT_PICTURE_HOSTS``, and for safe mode ``WECHAT_APP_ID`` and
``WECHAT_ENCODING_AES_KEY``; see docs/reports.md.
"""

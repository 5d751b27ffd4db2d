"""A client generated from the served OpenAPI document (openapi-python-client)
reads a title and submits a signed entry, signed here in Python: the
signature covers "sanquan entry v1\n" and the RFC 8785 JSON of the entry.

Run by tests/it/api.rs: python client_test.py CLIENT_DIR BASE_URL KEY_FILE
COLLECTIVE PARCEL. Prints one line of JSON with what it saw.
"""

import base64
import datetime
import json
import secrets
import sys

client_dir, base_url, key_file, collective, parcel = sys.argv[1:6]
sys.path.insert(0, client_dir)

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from sanquan_client import Client  # noqa: E402
from sanquan_client.api.default import get_titles_code, post_entries  # noqa: E402
from sanquan_client.models import Envelope, ReceiptView, TitleView  # noqa: E402

client = Client(base_url=base_url, raise_on_unexpected_status=True)

# Read a title through the generated client: a typed TitleView.
title = get_titles_code.sync(code=parcel, client=client)
assert isinstance(title, TitleView), title
seen = {"title": title.to_dict()}

# The collective's key, in the signed-note format: PRIVATE+KEY+name+hash+
# base64(0x01 ‖ seed).
text = open(key_file).read().strip()
seed = base64.b64decode(text.split("+", 4)[4])[1:]
key = Ed25519PrivateKey.from_private_bytes(seed)
public = key.public_key().public_bytes_raw()

# RFC 8785 for what an entry holds (strings, integers, objects): keys
# sorted, no spaces, UTF-8.
def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
entry = {
    "v": 1,
    "log": "sanquan/" + collective[:6],
    "kind": "decision.record",
    "signer": base64.b64encode(public).decode(),
    "nonce": secrets.token_hex(16),
    "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "body": {
        "assembly": "representatives_assembly",
        "subject": "other",
        "question": collective + " 村道养护费用",
        "date": now.strftime("%Y-%m-%d"),
        "eligible": 30,
        "present": 27,
        "for": 25,
        "against": 2,
        "minutes_sha256": "ab" * 32,
    },
}
# The envelope as the generated model, told apart by its kind; signed over
# the entry exactly as the model writes it, and sent by the generated client.
envelope = Envelope.from_dict({"entry": entry, "sig": ""})
assert type(envelope.entry).__name__ == "EntryDecisionRecord", type(envelope.entry)
envelope.sig = base64.b64encode(key.sign(b"sanquan entry v1\n" + canonical(envelope.entry.to_dict()))).decode()
answer = post_entries.sync_detailed(client=client, body=envelope)
assert answer.status_code == 201, (answer.status_code, answer.content)
assert isinstance(answer.parsed, ReceiptView), answer.parsed
seen["receipt"] = answer.parsed.to_dict()

# A refusal comes back as the documented error, with both messages.
again = post_entries.sync_detailed(client=client, body=envelope)
assert again.status_code == 409, (again.status_code, again.content)
seen["again"] = json.loads(again.content)
print(json.dumps(seen, ensure_ascii=False))

#!/usr/bin/env python3
"""Writes the kinds of answer Alipay's gateway gives, signed independently of the
project's code (Python's `cryptography`, SHA256withRSA PKCS#1 v1.5, with the
test keys in Tests/Fixtures/keys), as:

  Tests/Differential/gateway_answers.jsonl   one case a line: name, method,
      HTTP status, the body (hex), the bytes the key signed (hex, or null),
      which key signed them, and the expected outcome code
  Tests/FuzzCorpus/gateway-answer/seed-<name>   each body, a fuzz seed

PKCS#1 v1.5 signatures are deterministic, so running it again rewrites the
same bytes. Usage: Tests/Differential/make_gateway_answers.py
"""
import base64
import json
import pathlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
KEYS = ROOT / "Tests" / "Fixtures" / "keys"
OUT = ROOT / "Tests" / "Differential" / "gateway_answers.jsonl"
SEEDS = ROOT / "Tests" / "FuzzCorpus" / "gateway-answer"

PRIVATE = {
    "current": "alipay_private_key.pem",
    "next": "alipay_private_key_next.pem",
    "unrelated": "unrelated_private_key.pem",
}


def load(name):
    return serialization.load_pem_private_key((KEYS / PRIVATE[name]).read_bytes(), password=None)


KEY = {name: load(name) for name in PRIVATE}


def sign(content, key="current"):
    signature = KEY[key].sign(content, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature)


QUERY = b"alipay_trade_query_response"
CLOSE = b"alipay_trade_close_response"
REFUND = b"alipay_trade_refund_response"

PAID = (b'{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","buyer_pay_amount":"88.88",'
        b'"out_trade_no":"6823789339978248","receipt_amount":"88.88","send_pay_date":"2026-11-20 10:15:42",'
        b'"total_amount":"88.88","trade_no":"2026112022001404301234567890","trade_status":"TRADE_SUCCESS"}')

cases = []


def case(name, method, body, expect, signed=None, signed_by=None, status=200, note=""):
    cases.append({
        "name": name, "method": method, "status": status, "body": body.hex(),
        "signed": signed.hex() if signed is not None else None, "signed_by": signed_by,
        "expect": expect, "note": note,
    })


def answer(node_key, node, signature, sign_first=False, cert_sn=b"", space=b""):
    parts = [b'"' + node_key + b'":' + space + node]
    if cert_sn:
        parts.append(b'"alipay_cert_sn":"' + cert_sn + b'"')
    if signature is not None:
        signed = b'"sign":' + space + b'"' + signature + b'"'
        parts = [signed] + parts if sign_first else parts + [signed]
    return b"{" + space + (b"," + space).join(parts) + space + b"}"


def signed_case(name, method, node_key, node, expect, key="current", **options):
    status = options.pop("status", 200)
    note = options.pop("note", "")
    case(name, method, answer(node_key, node, sign(node, key), **options), expect,
         signed=node, signed_by=key, status=status, note=note)


q = "alipay.trade.query"
signed_case("query_paid_sign_after_node", q, QUERY, PAID, "success", note="the usual layout")
signed_case("query_paid_sign_before_node", q, QUERY, PAID, "success", sign_first=True)
signed_case("query_paid_with_cert_sn", q, QUERY, PAID, "success", cert_sn=b"4c0f5e6d8b1d3b2e1e5b0f1a0c3d7e9f")
signed_case("query_paid_spaced_body", q, QUERY, PAID, "success", space=b"\n  ", note="whitespace around the node")
signed_case("query_paid_signed_by_next_key", q, QUERY, PAID, "success", key="next")

spaced = (b'{ "code" : "10000" ,\n "msg" : "Success" , "out_trade_no" : "6823789339978248" ,'
          b' "total_amount" : "88.88" , "trade_status" : "WAIT_BUYER_PAY" }')
signed_case("query_node_with_inner_spaces", q, QUERY, spaced, "success", note="signed with its own spacing")

wire = PAID[:-1] + b',"store_name":"https:\\/\\/shop.example\\/a"}'
unescaped = PAID[:-1] + b',"store_name":"https://shop.example/a"}'
case("escaped_slashes_signed_unescaped", q, answer(QUERY, wire, sign(unescaped)), "success",
     signed=unescaped, signed_by="current", note="Alipay signed '/' and sent '\\/' (the Java SDK's fallback)")
signed_case("escaped_slashes_signed_as_sent", q, QUERY, wire, "success")

unicode = PAID[:-1] + b',"buyer_user_name":"\\u5f20\\u4e09","subject":"\\ud83d\\ude00 \\"gift\\""}'
signed_case("unicode_escapes", q, QUERY, unicode, "success")

braces = (PAID[:-1] + b',"body":"a}b{c\\"d\\\\","subject":"}}{{\\\\\\"",'
          b'"fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"extra":{"k":"v}"}}')
signed_case("braces_and_quotes_inside_values", q, QUERY, braces, "success")

forged = PAID.replace(b'"total_amount":"88.88"', b'"total_amount":"0.01"')
case("node_twice_signed_first", q,
     b'{"alipay_trade_query_response":' + PAID + b',"alipay_trade_query_response":' + forged + b',"sign":"' + sign(PAID) + b'"}',
     "unknown.node_repeated", signed=PAID, signed_by="current", note="fzlee/alipay#69")
case("node_twice_signed_last", q,
     b'{"alipay_trade_query_response":' + forged + b',"alipay_trade_query_response":' + PAID + b',"sign":"' + sign(PAID) + b'"}',
     "unknown.node_repeated", signed=PAID, signed_by="current")
case("node_twice_second_key_escaped", q,
     b'{"alipay_trade_query_response":' + PAID + b',"alipay_trade_query\\u005fresponse":' + forged + b',"sign":"' + sign(PAID) + b'"}',
     "unknown.node_repeated", signed=PAID, signed_by="current", note="the same key after its escapes are decoded")
case("node_beside_error_response", q,
     b'{"error_response":{"code":"40002","msg":"Invalid Arguments"},"alipay_trade_query_response":' + PAID
     + b',"sign":"' + sign(PAID) + b'"}',
     "unknown.node_repeated", signed=PAID, signed_by="current")

invalid_app = (b'{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id",'
               b'"sub_msg":"\\u65e0\\u6548\\u7684AppID\\u53c2\\u6570"}')
case("error_response_empty_sign", q, answer(b"error_response", invalid_app, b""), "unknown.unsigned",
     note="yansongda/pay#992: gateway errors come unsigned")
case("error_response_without_sign", q, answer(b"error_response", invalid_app, None), "unknown.unsigned")
signed_case("error_response_signed_invalid_app_id", q, b"error_response", invalid_app, "refusal.configuration_error")
signed_case("invalid_parameter_40002", q, QUERY,
            b'{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"\\u9a8c\\u7b7e\\u51fa\\u9519"}',
            "refusal.configuration_error")
signed_case("missing_parameter_40001", q, QUERY,
            b'{"code":"40001","msg":"Missing Required Arguments","sub_code":"isv.missing-method"}',
            "refusal.configuration_error")
signed_case("no_permission_40006", q, QUERY,
            b'{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.insufficient-isv-permissions"}',
            "refusal.configuration_error")

gbk = "交易状态不合法".encode("gbk")
gbk_node = (b'{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_STATUS_ERROR","sub_msg":"' + gbk + b'"}')
signed_case("close_refused_sub_msg_in_gbk", "alipay.trade.close", CLOSE, gbk_node, "refusal.business_refusal",
            note="smartwalle/alipay PR#257: sub_msg in GBK inside a utf-8 answer")

case("forged_amount", q, answer(QUERY, forged, sign(PAID)), "unknown.bad_signature",
     signed=PAID, signed_by="current", note="the node changed after signing")
case("signed_by_unrelated_key", q, answer(QUERY, PAID, sign(PAID, "unrelated")), "unknown.bad_signature",
     signed=PAID, signed_by="unrelated")
case("sign_not_base64", q, answer(QUERY, PAID, b"not base64!"), "unknown.sign_not_base64")
signed_case("http_502_with_a_signed_body", q, QUERY, PAID, "unknown.http_status", status=502)

signed_case("service_unavailable_20000", q, QUERY,
            b'{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"\\u7cfb\\u7edf\\u7e41\\u5fd9"}',
            "unknown.busy")
signed_case("system_error_acq", q, QUERY,
            b'{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"\\u7cfb\\u7edf\\u9519\\u8bef"}',
            "unknown.busy")
signed_case("aop_unknown_error", "alipay.trade.refund", REFUND,
            b'{"code":"20000","msg":"Service Currently Unavailable","sub_code":"aop.unknow-error"}',
            "unknown.busy")
signed_case("trade_not_exist_40004", q, QUERY,
            b'{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"\\u4ea4\\u6613\\u4e0d\\u5b58\\u5728",'
            b'"out_trade_no":"6823789339978248"}',
            "refusal.no_such_trade")
signed_case("rate_limited_40005", q, QUERY,
            b'{"code":"40005","msg":"Call Limited","sub_code":"aop.ACL_LIMITED"}',
            "refusal.rate_limited")
signed_case("auth_20001", q, QUERY,
            b'{"code":"20001","msg":"Insufficient Token Permissions","sub_code":"aop.invalid-auth-token"}',
            "refusal.configuration_error")
signed_case("unrecognized_code", q, QUERY, b'{"code":"50000","msg":"Something New"}', "unknown.unrecognized_code")

signed_case("refund_success", "alipay.trade.refund", REFUND,
            b'{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","fund_change":"Y","gmt_refund_pay":"2026-11-21 09:00:01",'
            b'"out_trade_no":"6823789339978248","refund_fee":"10.00","trade_no":"2026112022001404301234567890"}',
            "success")
signed_case("answer_to_another_method", q, REFUND, PAID, "unknown.malformed",
            note="a refund's node does not answer a query")

case("trailing_garbage", q, answer(QUERY, PAID, sign(PAID)) + b"x", "unknown.malformed", signed=PAID, signed_by="current")
case("two_objects", q, answer(QUERY, PAID, sign(PAID)) + answer(QUERY, forged, sign(PAID)), "unknown.malformed",
     signed=PAID, signed_by="current")
case("not_an_object", q, b"[" + answer(QUERY, PAID, sign(PAID)) + b"]", "unknown.malformed", signed=PAID, signed_by="current")
case("html_error_page", q, b"<html><body>502 Bad Gateway</body></html>", "unknown.malformed")
case("unterminated", q, answer(QUERY, PAID, sign(PAID))[:-20], "unknown.malformed", signed=PAID, signed_by="current")
case("sign_repeated", q, answer(QUERY, PAID, sign(PAID))[:-1] + b',"sign":"' + sign(forged) + b'"}', "unknown.malformed",
     signed=PAID, signed_by="current")

signed_case("query_paid_amount_malformed", q, QUERY, PAID.replace(b'"total_amount":"88.88"', b'"total_amount":"88.888"'),
            "success", note="verified, but no observation: the amount has three decimals")
signed_case("query_unknown_trade_status", q, QUERY, PAID.replace(b"TRADE_SUCCESS", b"TRADE_PENDING"),
            "success", note="verified, but no observation: an unknown trade_status")


def main():
    OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
    SEEDS.mkdir(parents=True, exist_ok=True)
    for c in cases:
        (SEEDS / f"seed-{c['name']}").write_bytes(bytes.fromhex(c["body"]))
    print(f"{len(cases)} cases written to {OUT.relative_to(ROOT)} and {SEEDS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

import scregistry
from builders import catalog, csv_index, entry


def test_public_bucket_is_read_anonymously(s3_endpoint, bucket, put):
    rows = [("2020-01-01T00:00:00Z", "2020-01-01T01:00:00Z", f"s3://{bucket}/d/a.cdf", 10)]
    put(bucket, "catalog.json", catalog(f"s3://{bucket}/", [entry("ds", f"s3://{bucket}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")]))
    put(bucket, "idx/ds_2020.csv", csv_index(rows))
    fr = scregistry.FileRegistry(f"s3://{bucket}/", endpoint_url=s3_endpoint)
    assert not fr.storage.signed
    df = fr.request_file_registry("ds")
    assert df["datakey"].tolist() == [rows[0][2]]


def test_private_bucket_needs_signature(private_s3):
    private_s3.admin.put_object(Bucket="private-bucket", Key="catalog.json", Body=catalog("s3://private-bucket/", []))
    private_s3.enable_auth()
    try:
        scregistry.FileRegistry("s3://private-bucket/", endpoint_url=private_s3.endpoint)
    except scregistry.AccessDeniedError as exc:
        assert "private-bucket/catalog.json" in str(exc) and "anonymous" in str(exc)
    else:
        raise AssertionError("anonymous access to a private bucket succeeded")
    fr = scregistry.FileRegistry("s3://private-bucket/", endpoint_url=private_s3.endpoint,
                                 aws_access_key_id=private_s3.key_id, aws_secret_access_key=private_s3.secret)
    assert fr.storage.signed and fr.get_entries() == []

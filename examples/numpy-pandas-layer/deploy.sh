#!/usr/bin/env bash
# Publishes layer.zip as a layer, creates a function that imports numpy and pandas without bundling them, and
# invokes it. Needs a running node (make run) and the aws CLI; reads AWS_ENDPOINT_URL (default the local node).
set -euo pipefail
cd "$(dirname "$0")"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:9000}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_PAGER=""

[ -f layer.zip ] || ./build-layer.sh
layer_arn="$(aws lambda publish-layer-version --layer-name numpy-pandas --zip-file fileb://layer.zip \
    --compatible-runtimes python3.11 python3.12 --query LayerVersionArn --output text)"
echo "published $layer_arn"

rm -f function.zip
(cd function && zip -q ../function.zip app.py)
aws lambda delete-function --function-name dataframe-stats > /dev/null 2>&1 || true
aws lambda create-function --function-name dataframe-stats --runtime python3.12 --handler app.handler \
    --role arn:aws:iam::000000000000:role/example --zip-file fileb://function.zip --timeout 30 --memory-size 512 \
    --layers "$layer_arn" --query '[FunctionName, Layers[0].Arn]' --output text

aws lambda invoke --function-name dataframe-stats --payload '{"values": [3, 1, 4, 1, 5, 9, 2, 6]}' out.json \
    > /dev/null
cat out.json
echo

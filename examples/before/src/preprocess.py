"""Splits account activity into train/validation/test sets (SageMaker Processing entry point)."""
import argparse
import os

import pandas as pd
from sklearn.model_selection import train_test_split

BASE = "/opt/ml/processing"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-size", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    df = pd.read_parquet(os.path.join(BASE, "input", "accounts.parquet"))
    df = df.dropna(subset=["churned_30d"])
    features = df.drop(columns=["account_id", "email", "churned_30d"])
    target = df["churned_30d"].astype(int)
    data = pd.concat([target, features], axis=1)

    train, rest = train_test_split(data, test_size=2 * args.test_size, random_state=args.seed, stratify=target)
    validation, test = train_test_split(rest, test_size=0.5, random_state=args.seed, stratify=rest["churned_30d"])
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        out = os.path.join(BASE, name)
        os.makedirs(out, exist_ok=True)
        part.to_csv(os.path.join(out, f"{name}.csv"), header=False, index=False)


if __name__ == "__main__":
    main()

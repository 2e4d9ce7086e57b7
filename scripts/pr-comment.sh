#!/usr/bin/env bash
# Posts FILE as the pull request's rcdk diff comment, or updates the comment an earlier
# run posted (found by the marker on its first line), so a PR has one diff comment.
# Usage: scripts/pr-comment.sh PR_NUMBER FILE   (needs gh with GH_TOKEN, GITHUB_REPOSITORY)
set -euo pipefail

pr="$1"
file="$2"
marker="<!-- rcdk-diff -->"
if [ "$(head -n 1 "$file")" != "$marker" ]; then
  echo "pr-comment: $file does not start with $marker (not rcdk diff --format markdown output)" >&2
  exit 2
fi
existing="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"$marker\"))) | .id" | head -n 1)"
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$file" --silent
  echo "pr-comment: updated comment $existing"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$file" --silent
  echo "pr-comment: posted a comment on #$pr"
fi

/* Community votes and figures, in place.
 *
 * Pages are the same HTML for every reader and may have been cached, so
 * this script brings what is live or personal:
 *
 * - the community figures of every tool on the page, from one JSON answer
 *   that is the same for every reader (community/figures.json);
 * - the reader's own votes and a CSRF token (community/mine.json), asked
 *   only when this browser has voted before (the verdicts_voted marker);
 *   a reader who never voted asks for a token on their first click.
 *
 * A vote is posted with fetch, the figure is updated wherever the tool is
 * shown, and the form's role="status" region says "Vote recorded". Without
 * JavaScript the same buttons submit the form to a confirmation page, so
 * nothing here is needed to vote.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var figureElements = document.querySelectorAll("[data-community-figure]");
  var forms = document.querySelectorAll("form.vote-form[data-vote-url]");
  if (!script || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var csrfToken = null;
  var slugs = [];
  figureElements.forEach(function (element) {
    slugs.push(element.dataset.communityFigure);
  });
  forms.forEach(function (form) {
    slugs.push(form.dataset.toolSlug);
  });
  slugs = slugs
    .filter(function (slug, index) {
      return slug && slugs.indexOf(slug) === index;
    })
    .sort();
  if (!slugs.length) {
    return;
  }

  function capitalise(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  function failure(status) {
    if (status === 403) {
      return "Your vote could not be sent. Reload the page and try again.";
    }
    if (status === 429) {
      return "Too many votes from your network. Please try again in a few minutes.";
    }
    return "Your vote could not be sent. Please try again.";
  }

  function call(url, options) {
    options.headers = options.headers || {};
    options.headers.Accept = "application/json";
    return fetch(url, options).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (!response.ok) {
              throw new Error(body.error || failure(response.status));
            }
            return body;
          });
      },
      function () {
        throw new Error(failure(0));
      }
    );
  }

  function withTools(url) {
    return url + "?" + new URLSearchParams({ tools: slugs.join(",") }).toString();
  }

  function hasVotedBefore() {
    return document.cookie.split(";").some(function (part) {
      return part.trim() === "verdicts_voted=1";
    });
  }

  function announce(form, text) {
    var status = form.querySelector("[data-vote-status]");
    // Clear first, so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function showFigure(slug, community) {
    var selector = '[data-community-figure="' + slug + '"]';
    document.querySelectorAll(selector).forEach(function (figure) {
      figure.querySelector("[data-community-label]").textContent = community.label;
      figure.querySelector("[data-community-counts]").textContent =
        community.counts;
    });
  }

  function showVote(form, vote) {
    form.dataset.vote = vote;
    form.querySelectorAll("button[name=verdict]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value === vote));
    });
    var mine = form.querySelector("[data-vote-mine]");
    mine.textContent =
      vote === "none"
        ? ""
        : "You vote " + vote + ". Press " + capitalise(vote) +
          " again to withdraw your vote.";
  }

  function show(form, state) {
    csrfToken = state.csrf_token || csrfToken;
    showVote(form, state.vote);
    showFigure(form.dataset.toolSlug, state.community);
  }

  var figures = call(withTools(script.dataset.figuresUrl), {
    method: "GET",
    credentials: "omit",
  }).then(function (body) {
    Object.keys(body.figures || {}).forEach(function (slug) {
      showFigure(slug, body.figures[slug]);
    });
  });

  var mine = null;
  function loadMine() {
    mine = call(withTools(script.dataset.mineUrl), {
      method: "GET",
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (body) {
      csrfToken = body.csrf_token || csrfToken;
      forms.forEach(function (form) {
        showVote(form, (body.votes || {})[form.dataset.toolSlug] || "none");
      });
    });
    return mine;
  }

  function ready() {
    // The first click of a browser that never voted: ask for a token.
    if (!mine) {
      loadMine();
    }
    return mine.catch(loadMine);
  }

  function cast(form, button) {
    var verdict = button.getAttribute("aria-pressed") === "true" ? "none" : button.value;
    form.setAttribute("aria-busy", "true");
    return ready()
      .then(function () {
        return call(form.dataset.voteUrl, {
          method: "POST",
          credentials: "same-origin",
          cache: "no-store",
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": csrfToken,
          },
          body: new URLSearchParams({ verdict: verdict }).toString(),
        });
      })
      .then(function (state) {
        show(form, state);
        announce(form, state.message);
      })
      .catch(function (error) {
        announce(form, error.message);
      })
      .then(function () {
        form.removeAttribute("aria-busy");
      });
  }

  figures.catch(function () {
    /* The page keeps the figures it was rendered with. */
  });
  if (forms.length && hasVotedBefore()) {
    loadMine().catch(function () {
      /* The buttons still work: a click tries again. */
    });
  }
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "verdict") {
        return; // An older browser: let the form go to the confirmation page.
      }
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") {
        return;
      }
      cast(form, button);
    });
  });
})();

# bash completion for migtriage. Installed as
# share/bash-completion/completions/migtriage.
_migtriage()
{
    local cur prev words cword
    _init_completion || return

    local opts="--format --fail-on --patterns --kb --extra-kb --limit --color --family
        --flavor --jobs --help --version -f -j -h -V --min-severity --mailbox
        --article --progress"
    case $prev in
        -f|--format)
            COMPREPLY=($(compgen -W "text json ndjson html csv markdown" -- "$cur")); return ;;
        --fail-on|--min-severity)
            COMPREPLY=($(compgen -W "info warning error critical" -- "$cur"))
            return ;;
        --color|--progress)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --flavor)
            COMPREPLY=($(compgen -W "rg ugrep grep pcre" -- "$cur")); return ;;
        --limit)
            COMPREPLY=($(compgen -S = -W "line-bytes record-bytes depth
                expanded-bytes expansion-ratio match-budget depth-budget files
                finding-groups" -- "$cur"))
            compopt -o nospace; return ;;
        --patterns|--kb|--extra-kb)
            _filedir -d; return ;;
        -j|--jobs)
            return ;;
        --family)
            COMPREPLY=($(compgen -W "$(migtriage kb list 2>/dev/null |
                awk '/^[a-z]/ {print $1}')" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur")); return
    fi
    # The first word that is not an option names the subcommand.
    local i sub="" sub2=""
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -* ]] && continue
        case ${words[i-1]} in
            -f|--format|--fail-on|--color|--flavor|--limit|--patterns|--kb|--extra-kb|-j|--jobs|--family|--min-severity|--mailbox|--article|--progress)
                continue ;;
        esac
        if [[ -z $sub ]]; then sub=${words[i]}; else sub2=${words[i]}; break; fi
    done
    case $sub in
        "")
            COMPREPLY=($(compgen -W "explain kb" -- "$cur"))
            _filedir
            ;;
        kb)
            if [[ -z $sub2 ]]; then
                COMPREPLY=($(compgen -W "search show list lint export" -- "$cur"))
            elif [[ $sub2 == show ]]; then
                COMPREPLY=($(compgen -W "$(migtriage kb list 2>/dev/null |
                    awk '/^  / {print $1}')" -- "$cur"))
            fi
            ;;
        explain)
            ;;
        *)
            _filedir
            ;;
    esac
} &&
    complete -F _migtriage migtriage

#!/usr/bin/env python3
"""Regenerates the reference outputs in this directory by running OSTEP's Python simulators.

    python3 regenerate.py /path/to/ostep-homework

The simulators are not part of vmlab: get them from
https://github.com/remzi-arpacidusseau/ostep-homework (folders vm-mechanism, vm-segmentation,
vm-freespace, vm-paging, vm-smalltables, vm-beyondphys-policy). Each case becomes a pair:

    NAME.cmd   line 1: the Python command line (shell quoting)
               line 2: "exit status N", the status vmlab must return
               more lines starting with '#': notes
    NAME.out   the Python tool's stdout, byte for byte

When the Python tool dies with a traceback (exit status 1 and a traceback on stderr), vmlab
prints the same stdout and then an error of its own, with exit status 2; the .cmd file says
so. optparse's own errors exit with 2 and print nothing on stdout, as vmlab does.

The commands run in this directory (paging-policy's -f reads traces/). Existing vm-*-0NN
pairs (the shared examples) are left alone; vm-*-gNNN pairs are rewritten.
"""
import glob
import os
import shlex
import subprocess
import sys

FOLDERS = {
    'relocation.py': 'vm-mechanism',
    'segmentation.py': 'vm-segmentation',
    'malloc.py': 'vm-freespace',
    'paging-linear-translate.py': 'vm-paging',
    'paging-multilevel-translate.py': 'vm-smalltables',
    'paging-policy.py': 'vm-beyondphys-policy',
}


def cases():
    c = []
    add = lambda script, *args: c.append((script, list(args)))

    # relocation.py
    r = 'relocation.py'
    for s in range(10):
        add(r, '-s', str(s), '-c')
    for s in range(3):
        add(r, '-s', str(s))
    add(r, '-s', '-1', '-c')
    add(r, '-s', '-7')
    add(r, '-s', '123456789012345678901234567890', '-c')
    add(r, '-s', '4294967296', '-c')
    add(r, '-s', '0x1f', '-c')
    add(r, '-s', '010', '-c')
    add(r, '-s', '0b101', '-c')
    add(r, '-s', '0b', '-c')
    add(r, '-s', ' 12 ', '-c')
    add(r, '-s', '1_000', '-c')
    add(r, '-s', '+5', '-c')
    add(r, '-a', '16k', '-p', '1m', '-c', '-s', '3')
    add(r, '-a', '32', '-p', '128', '-n', '10', '-c', '-s', '4')
    add(r, '-a', '1K', '-p', '16K', '-s', '5', '-c')
    add(r, '-a', '1m', '-p', '1g', '-s', '2', '-c')
    add(r, '-a', '2g', '-p', '4G', '-s', '2', '-c')
    add(r, '-a', '100', '-p', '1000', '-s', '8', '-n', '8', '-c')
    add(r, '-b', '100', '-l', '200', '-c')
    add(r, '-b', '16000', '-l', '1000', '-c')
    add(r, '-b', '15000', '-l', '1384', '-c', '-s', '1')
    add(r, '-l', '100', '-c', '-s', '6')
    add(r, '-b', '0', '-l', '1024', '-c', '-s', '7')
    add(r, '-b', '5k', '-l', '1k', '-c', '-s', '7')
    add(r, '-l', '-5', '-c')
    add(r, '-p', '1', '-c')
    add(r, '-p', '1k', '-a', '0', '-c')
    add(r, '-a', '16k', '-p', '16k', '-c')
    add(r, '-a', '-100', '-s', '2', '-c')
    add(r, '-a', '', '-c')
    add(r, '-a', '1.5k', '-c')
    add(r, '-b', '0x10', '-c')
    add(r, '-l', 'k', '-c')
    add(r, '-x')
    add(r, '-s')
    add(r, '-s', 'abc')
    add(r, '-s', '08')
    add(r, '--seed=')
    add(r, '--compute=1')
    add(r, '-n', '1.5')
    add(r, '--nosuch')
    add(r, '--a', '1k')
    add(r, '--seed=5', '--compute')
    add(r, '--seed', '5', '--compute')
    add(r, '-s5', '-c')
    add(r, '-cs5')
    add(r, '-cs', '5')
    add(r, '--se', '5', '--comp')
    add(r, '--addresses', '3', '-c')
    add(r, '--addr=3', '-c')
    add(r, '--b=100', '--l=50', '-c')
    add(r, '-c', '--', '-s', '5')
    add(r, 'foo', '-c', 'bar', '-s', '2')
    add(r, '-', '-c')
    add(r, '-h')
    add(r, '--help')
    add(r, '--he')
    add(r, '-ch')
    add(r, '-s', 'x', '-h')
    add(r, '-h', '-s', 'x')
    add(r, '-n', '0', '-c')
    add(r, '-n', '-3', '-c')
    add(r, '-n', '20', '-s', '11', '-c')
    add(r, '-n', '0x10', '-s', '12', '-c')

    # segmentation.py
    g = 'segmentation.py'
    for s in range(10):
        add(g, '-s', str(s), '-c')
    for s in range(3):
        add(g, '-s', str(s))
    for s in range(3):
        add(g, '-a', '128', '-p', '512', '-b', '0', '-l', '20', '-B', '512', '-L', '20', '-s', str(s), '-c')
    add(g, '-a', '128', '-p', '512', '-b', '0', '-l', '20', '-B', '512', '-L', '20', '-A', '0,19,20,63,64,108,127', '-c')
    add(g, '-a', '128', '-p', '512', '-b', '0', '-l', '20', '-B', '512', '-L', '20', '-A', '0,19,20,63,64,108,127')
    add(g, '-a', '15', '-p', '100', '-b', '0', '-l', '7', '-B', '100', '-L', '7', '-A', '6,7,8,14', '-c')
    add(g, '-a', '16', '-p', '64', '-b', '0', '-l', '4', '-B', '32', '-L', '4', '-A', '0,3,4,7,8,11,12,15', '-c')
    add(g, '-a', '16', '-p', '128', '-b', '8', '-l', '8', '-B', '64', '-L', '8', '-A', ' 1 , 9,1_5', '-c')
    add(g, '-s', '1', '-n', '10', '-c')
    add(g, '-s', '2', '-n', '0', '-c')
    add(g, '-s', '3', '-a', '64k', '-p', '1m', '-c')
    add(g, '-s', '4', '-a', '100', '-p', '1000', '-c')
    add(g, '-s', '5', '-l', '300', '-c')
    add(g, '-s', '6', '-L', '100', '-c')
    add(g, '-s', '7', '-b', '1000', '-c')
    add(g, '-s', '8', '-B', '9000', '-c')
    add(g, '-s', '-3', '-c')
    add(g, '-s', '99999999999999999999', '-c')
    add(g, '-p', '4', '-c')
    add(g, '-a', '0', '-c')
    add(g, '-a', '1k', '-p', '1k', '-c')
    add(g, '-a', '1k', '-p', '2k', '-c')
    add(g, '-a', '1k', '-p', '2k', '-b', '0', '-l', '100', '-B', '2000', '-L', '100', '-s', '1', '-c')
    add(g, '-b', '16000', '-l', '500', '-B', '1000', '-L', '100', '-c')
    add(g, '-b', '0', '-l', '100', '-B', '17000', '-L', '100', '-c')
    add(g, '-b', '0', '-l', '600', '-B', '4000', '-L', '100', '-c')
    add(g, '-b', '0', '-l', '100', '-B', '4000', '-L', '513', '-c')
    add(g, '-b', '100', '-l', '200', '-B', '350', '-L', '100', '-c')
    add(g, '-b', '1000', '-l', '100', '-B', '600', '-L', '100', '-c')
    add(g, '-b', '1000', '-l', '100', '-B', '600', '-L', '100', '-A', '0,99,100,923,924,1023', '-c')
    add(g, '-A', '0,2000', '-c', '-s', '1')
    add(g, '-A', '5,-1', '-c', '-s', '1')
    add(g, '-A', '0x10', '-c')
    add(g, '-A', '', '-c')
    add(g, '-A', '1,,2', '-c')
    add(g, '-a', '1.0k', '-c')
    add(g, '--b0=0', '--l0=20', '--b1=512', '--l1=20', '-a', '128', '-p', '512', '--addresses=0,127', '-c')
    add(g, '--numaddrs', '3', '-c')
    add(g, '--b', '1')
    add(g, '--solv')
    add(g, '-h')

    # malloc.py
    m = 'malloc.py'
    for s in range(10):
        add(m, '-s', str(s), '-c')
    for s in range(3):
        add(m, '-s', str(s))
    for p in ['BEST', 'WORST', 'FIRST']:
        for l in ['ADDRSORT', 'SIZESORT+', 'SIZESORT-', 'INSERT-FRONT', 'INSERT-BACK']:
            add(m, '-s', '2', '-n', '30', '-p', p, '-l', l, '-c')
            add(m, '-s', '3', '-n', '30', '-p', p, '-l', l, '-C', '-c')
    add(m, '-s', '4', '-n', '20', '-H', '4', '-a', '4', '-c')
    add(m, '-s', '5', '-n', '20', '-H', '2', '-a', '8', '-p', 'FIRST', '-l', 'INSERT-FRONT', '-C', '-c')
    add(m, '-s', '6', '-n', '20', '-H', '3', '-p', 'WORST', '-c')
    add(m, '-s', '7', '-n', '20', '-H', '3')
    add(m, '-s', '8', '-n', '40', '-r', '30', '-S', '200', '-b', '0', '-c')
    add(m, '-s', '9', '-n', '40', '-P', '100', '-c')
    add(m, '-s', '9', '-n', '10', '-P', '1', '-c')
    add(m, '-s', '9', '-n', '10', '-P', '200', '-c')
    add(m, '-s', '10', '-n', '30', '-P', '30', '-C', '-c')
    add(m, '-s', '11', '-n', '10', '-r', '-5', '-c')
    add(m, '-s', '12', '-n', '15', '-S', '10', '-c')
    add(m, '-s', '-12', '-c')
    add(m, '-s', '123456789012345678901234567890', '-c')
    add(m, '-n', '0', '-c')
    add(m, '-A', '+10,-0,+20,-1,+5', '-c')
    add(m, '-A', '+10,-0,+20,-1,+5')
    add(m, '-A', '+3,+5,+7,-1,-0,+4,-2,+6', '-p', 'FIRST', '-l', 'INSERT-FRONT', '-c')
    add(m, '-A', '+3,+5,+7,-1,-0,+4,-2,+6', '-p', 'WORST', '-l', 'SIZESORT-', '-C', '-c')
    add(m, '-A', '+3,+5,+7,-1,-0,+4,-2,+6', '-p', 'BEST', '-l', 'SIZESORT+', '-C', '-c')
    add(m, '-A', '+3,+5,+7,-0,-1,-2', '-C', '-c')
    add(m, '-A', '+3,+5,+7,-2,-1,-0', '-l', 'INSERT-BACK', '-C', '-c')
    add(m, '-A', '+10,-5', '-c')
    add(m, '-A', '+10,-0,-0', '-c')
    add(m, '-A', '+10,-0,+10,-0,-0,-1', '-c')
    add(m, '-A', '+5,+20,+5,-1', '-S', '10', '-c')
    add(m, '-A', '+20,-0', '-S', '10', '-c')
    add(m, '-A', '+5,+200,+5,-2', '-c')
    add(m, '-A', '+0,+0', '-c')
    add(m, '-A', '+3,+5,-0,+1', '-H', '4', '-a', '4', '-c')
    add(m, '-A', '+-3,+4', '-c')
    add(m, '-A', '+ 4,-+0', '-c')
    add(m, '-A', '+100,-0,+100', '-c')
    add(m, '-A', '+10,,+5', '-c')
    add(m, '-A', '+10,*3', '-c')
    add(m, '-A', '+x', '-c')
    add(m, '-A', '-', '-c')
    add(m, '-P', '0', '-c')
    add(m, '-P', '-10', '-c')
    add(m, '-p', 'XYZ', '-c')
    add(m, '-l', 'RANDOM', '-c')
    add(m, '-a', '0', '-c')
    add(m, '-a', '-2', '-c')
    add(m, '-S', 'x')
    add(m, '--policy=FIRST', '--listOrder', 'INSERT-BACK', '--coalesce', '--numOps=12', '-s', '3', '--compute')
    add(m, '--size', '50', '--baseAddr', '0', '--headerSize', '1', '--alignment', '2', '--range', '20',
        '--percentAlloc', '60', '-s', '4', '-c')
    add(m, '--allocList=+4,-0', '-c')
    add(m, '-h')

    # paging-linear-translate.py
    pl = 'paging-linear-translate.py'
    for s in range(10):
        add(pl, '-s', str(s), '-c')
    for s in range(3):
        add(pl, '-s', str(s))
    add(pl, '-s', '3', '-v', '-c')
    add(pl, '-s', '4', '-v')
    for u in ['0', '25', '50', '75', '100', '150', '-10']:
        add(pl, '-P', '1k', '-a', '16k', '-p', '32k', '-v', '-u', u, '-s', '1', '-c')
    add(pl, '-P', '8', '-a', '32', '-p', '1024', '-v', '-n', '10', '-s', '2', '-c')
    add(pl, '-a', '32', '-p', '128', '-P', '4', '-u', '75', '-v', '-c', '-A', '0,1,31')
    add(pl, '-a', '32', '-p', '128', '-P', '4', '-u', '75', '-v', '-A', '0,1,31')
    add(pl, '-a', '1m', '-p', '512m', '-P', '64k', '-v', '-s', '5', '-c')
    add(pl, '-a', '16k', '-p', '48k', '-P', '4k', '-s', '6', '-c')
    add(pl, '-a', '1k', '-p', '2k', '-P', '1', '-u', '10', '-n', '3', '-s', '7', '-c')
    add(pl, '-a', '17', '-p', '64', '-P', '1', '-c')
    add(pl, '-a', '24', '-p', '64', '-P', '8', '-c')
    add(pl, '-a', '16k', '-p', '60k', '-c')
    add(pl, '-a', '17k', '-c')
    add(pl, '-p', '1g', '-c')
    add(pl, '-a', '1g', '-p', '2g', '-c')
    add(pl, '-a', '0', '-c')
    add(pl, '-p', '1', '-c')
    add(pl, '-a', '64k', '-c')
    add(pl, '-P', '0', '-c')
    add(pl, '-P', '-4', '-c')
    add(pl, '-P', '-4', '-a', '24', '-p', '96', '-c')
    add(pl, '-A', '20000', '-c')
    add(pl, '-A', '20000')
    add(pl, '-A', '-1', '-c')
    add(pl, '-A', '4294967296,4294979137', '-c')
    add(pl, '-A', '100,abc', '-c')
    add(pl, '-A', '1,2', '-n', '0', '-s', '1', '-c')
    add(pl, '-s', '-2', '-c')
    add(pl, '-s', '0o17', '-c')
    add(pl, '-u', 'x')
    add(pl, '--pagesize=1k', '--asize', '4k', '--physmem=8k', '--used=60', '--numaddrs', '4', '-s', '2', '-vc')
    add(pl, '--v')
    add(pl, '-h')

    # paging-multilevel-translate.py
    ml = 'paging-multilevel-translate.py'
    for s in range(2, 6):
        add(ml, '-s', str(s), '-c')
    add(ml, '-s', '0')
    add(ml, '-s', '1')
    add(ml, '-a', '0', '-c')
    add(ml, '-a', '-3', '-n', '4', '-c')
    add(ml, '-a', '1', '-s', '2', '-c')
    add(ml, '-a', '16', '-n', '20', '-s', '3', '-c')
    add(ml, '-a', '32', '-n', '20', '-s', '5', '-c')
    add(ml, '-a', '90', '-n', '5', '-s', '8', '-c')
    add(ml, '-a', '96', '-s', '3', '-c')
    add(ml, '-a', '200', '-c')
    add(ml, '-n', '0', '-c')
    add(ml, '-s', '-4', '-n', '3', '-c')
    add(ml, '--seed=6', '--allocated', '8', '--addresses=6', '--solve')
    add(ml, '--solve=yes')
    add(ml, '-h')

    # paging-policy.py
    pp = 'paging-policy.py'
    for pol in ['FIFO', 'LRU', 'MRU', 'OPT', 'UNOPT', 'RAND', 'CLOCK']:
        for s in range(3):
            add(pp, '-p', pol, '-s', str(s), '-C', '4', '-m', '8', '-n', '20', '-c')
        add(pp, '-p', pol, '-f', 'traces/belady.txt', '-C', '3', '-c')
        add(pp, '-p', pol, '-a', '1,2,3,4,1,2,5,1,2,3,4,5', '-C', '4', '-c')
    add(pp, '-s', '10', '-c')
    add(pp, '-s', '10')
    add(pp, '-a', '1,2,3,4', '-C', '3', '-p', 'OPT', '-c')
    add(pp, '-a', '1,2,3,4,5,1', '-C', '3', '-p', 'OPT', '-c')
    add(pp, '-a', '1,2,3,4', '-C', '3', '-p', 'UNOPT', '-c')
    add(pp, '-a', '1,2,3,1,2,3,4,3,2,1', '-C', '3', '-p', 'UNOPT', '-c')
    for b in ['0', '1', '3', '-1']:
        add(pp, '-p', 'CLOCK', '-b', b, '-s', '7', '-C', '3', '-m', '6', '-n', '25', '-c')
    add(pp, '-p', 'CLOCK', '-a', '1,1,1,2,3,4,1,5', '-C', '3', '-s', '1', '-c')
    add(pp, '-p', 'LRU', '-N', '-s', '3', '-n', '50', '-c')
    add(pp, '-p', 'LRU', '-s', '3', '-n', '5')
    add(pp, '-p', 'LFU', '-c')
    add(pp, '-p', 'LFU')
    add(pp, '-p', 'LFU', '-N', '-c')
    add(pp, '-f', 'traces/crlf.txt', '-p', 'LRU', '-c')
    add(pp, '-f', 'traces/spaces.txt', '-c')
    add(pp, '-f', 'traces/spaces.txt', '-a', '1,2', '-c')
    add(pp, '-f', 'traces/blank-line.txt', '-c')
    add(pp, '-f', 'traces/bad.txt', '-c')
    add(pp, '-f', 'traces/empty.txt', '-c')
    add(pp, '-f', 'traces/empty.txt')
    add(pp, '-f', 'traces/no-such-file.txt', '-c')
    add(pp, '-C', '0', '-c')
    add(pp, '-C', '0', '-p', 'CLOCK', '-c')
    add(pp, '-C', '0', '-p', 'OPT', '-c')
    add(pp, '-C', '0')
    add(pp, '-C', '-1', '-s', '2', '-c')
    add(pp, '-C', '1', '-s', '2', '-p', 'MRU', '-c')
    add(pp, '-n', '0', '-c')
    add(pp, '-n', '0', '-N', '-c')
    add(pp, '-n', '0')
    add(pp, '-n', '-2', '-c')
    add(pp, '-s', '-5', '-c')
    add(pp, '-s', '99999999999999999999', '-c')
    add(pp, '-s', '0x10', '-c')
    add(pp, '-s', ' 1_2 ', '-c')
    add(pp, '-n', 'ten', '-c')
    add(pp, '-m', '100', '-n', '15', '-s', '4', '-c')
    add(pp, '-m', '-5', '-n', '6', '-s', '4', '-c')
    add(pp, '-a', '1,x,2', '-c')
    add(pp, '-a', '1,2,3,4,x', '-p', 'OPT', '-c')
    add(pp, '-a', '1,x,2')
    add(pp, '-a', ' 1, 2 ,+3,1_0', '-c')
    add(pp, '-a', '5,-1,3,4,6', '-C', '2', '-c')
    add(pp, '-a', '5,-1,3,4,6', '-C', '2', '-p', 'CLOCK', '-c')
    add(pp, '-b', 'abc', '-c')
    add(pp, '-b', '0x2', '-p', 'CLOCK', '-c')
    add(pp, '--policy=LRU', '--cachesize', '2', '--addresses=1,2,1,3', '--compute')
    add(pp, '--notrace', '--compute', '--numaddrs=30', '--maxpage', '4', '--seed=9', '--policy', 'RAND')
    add(pp, '--addressfile', 'traces/belady.txt', '--compute', '--clockbits=1', '--policy=CLOCK')
    add(pp, '--c')
    add(pp, '-h')
    return c


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tools = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    for f in glob.glob(os.path.join(here, 'vm-*-g[0-9][0-9][0-9].*')):
        os.remove(f)
    counters = {}
    for script, args in cases():
        folder = FOLDERS[script]
        path = os.path.join(tools, folder, script)
        p = subprocess.run([sys.executable, path] + args, cwd=here, capture_output=True,
                           env=dict(os.environ, PYTHONHASHSEED='0'), timeout=120)
        counters[folder] = counters.get(folder, 0) + 1
        name = '%s-g%03d' % (folder, counters[folder])
        notes = []
        status = p.returncode
        err = p.stderr.decode(errors='replace')
        if 'Traceback' in err:
            last = err.strip().splitlines()[-1]
            notes.append('# python3 exits %d with a traceback (%s); vmlab reports an error' % (status, last))
            status = 2
        elif status == 2:
            notes.append('# optparse: %s' % err.strip().splitlines()[-1])
        with open(os.path.join(here, name + '.cmd'), 'w') as f:
            f.write(shlex.join([script] + args) + '\n')
            f.write('exit status %d\n' % status)
            for n in notes:
                f.write(n + '\n')
        with open(os.path.join(here, name + '.out'), 'wb') as f:
            f.write(p.stdout)
    print('%d cases' % sum(counters.values()))


if __name__ == '__main__':
    main()
